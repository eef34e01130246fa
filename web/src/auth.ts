// The bearer token lives in sessionStorage only: never in the URL, gone with the tab.
// Its claims (role, college, expiry) are read here to choose the navigation; the service
// checks the signature and decides what each request may see.

export type Role = "admin" | "designer" | "college" | "reader";

export interface Session {
  token: string;
  role: Role;
  college: string | null;
  subject: string;
  expires: Date;
}

const KEY = "cg.token";

export class TokenProblem extends Error {}

export function parseToken(token: string): Session {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[0] !== "cg1") {
    throw new TokenProblem("malformed");
  }
  let claims: { role?: string; college?: string | null; sub?: string; exp?: number };
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    claims = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)));
  } catch {
    throw new TokenProblem("malformed");
  }
  if (!claims.role || !["admin", "designer", "college", "reader"].includes(claims.role)) {
    throw new TokenProblem("malformed");
  }
  return {
    token: token.trim(),
    role: claims.role as Role,
    college: claims.college ?? null,
    subject: claims.sub ?? "",
    expires: new Date((claims.exp ?? 0) * 1000),
  };
}

export function session(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    return parseToken(token);
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function isExpired(s: Session): boolean {
  return s.expires.getTime() <= Date.now();
}

export function signIn(token: string): Session {
  const parsed = parseToken(token);
  if (isExpired(parsed)) throw new TokenProblem("expired");
  sessionStorage.setItem(KEY, parsed.token);
  return parsed;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** Student data needs a college token (its own college) or an admin token. */
export function canReadStudents(s: Session | null): boolean {
  return !!s && !isExpired(s) && (s.role === "admin" || s.role === "college");
}
