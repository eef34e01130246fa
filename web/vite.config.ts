// The web app is built into the Python package (service/static/app), which the service
// serves at / — so a college intranet needs nothing from the internet: no CDN, no fonts.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../service/static/app",
    emptyOutDir: true,
    assetsDir: "app-assets",
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: 5173,
    proxy: { "/graphql": "http://127.0.0.1:8105" },
  },
});
