// The app's only connection: POST /graphql on the same origin.
import { isExpired, session, signOut } from "./auth";

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const current = session();
  if (current && isExpired(current)) {
    // known from the token itself: no need to ask the service (and be refused with a 401)
    signOut();
    window.dispatchEvent(new Event("cg:session"));
    throw new ApiError("TOKEN_EXPIRED", "token expired");
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (current) headers.authorization = `Bearer ${current.token}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("NETWORK", "the service does not answer");
  }
  const body = (await response.json().catch(() => null)) as GraphQLResponse<T> | null;
  const first = body?.errors?.[0];
  if (response.status === 401) {
    signOut(); // a token the service refuses is of no further use
    window.dispatchEvent(new Event("cg:session"));
    const expired = /expired/i.test(first?.message ?? "");
    throw new ApiError(expired ? "TOKEN_EXPIRED" : "UNAUTHENTICATED", first?.message ?? "");
  }
  if (first) throw new ApiError(first.extensions?.code ?? "INTERNAL", first.message);
  if (!response.ok || !body?.data) {
    throw new ApiError("HTTP_" + response.status, response.statusText || "no data");
  }
  return body.data;
}

/** Every page of a Relay connection (the service caps a page at 100). */
export async function allPages<N>(
  fetchPage: (after: string | null) => Promise<{
    nodes: N[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }>,
  maxPages = 20,
): Promise<N[]> {
  const nodes: N[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(after);
    nodes.push(...result.nodes);
    if (!result.pageInfo.hasNextPage) break;
    after = result.pageInfo.endCursor;
  }
  return nodes;
}

/** Download a file the service makes (report exports, framework workbooks) with the
 * session's token: a link cannot carry the Authorization header, so fetch it and save it. */
export async function download(path: string, filename: string): Promise<void> {
  const current = session();
  const response = await fetch(path, {
    headers: current && !isExpired(current) ? { authorization: `Bearer ${current.token}` } : {},
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as GraphQLResponse<unknown> | null;
    const first = body?.errors?.[0];
    throw new ApiError(first?.extensions?.code ?? `HTTP_${response.status}`, first?.message ?? response.statusText);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
