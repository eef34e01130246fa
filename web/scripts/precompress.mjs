// After the build: a .gz beside every asset, so the service sends the compressed bytes to a
// browser that accepts them (an intranet link is not always fast) without compressing on
// every request.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constants, gzipSync } from "node:zlib";

const dir = new URL("../../service/static/app/app-assets/", import.meta.url).pathname;
for (const name of readdirSync(dir)) {
  if (!/\.(js|css|svg)$/.test(name)) continue;
  const data = readFileSync(join(dir, name));
  const packed = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(dir, `${name}.gz`), packed);
  console.log(`${name}: ${(data.length / 1024).toFixed(1)} kB, gzip ${(packed.length / 1024).toFixed(1)} kB`);
}
