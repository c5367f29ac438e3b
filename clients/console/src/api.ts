// The API client the console uses: the generated SDK, with the session
// cookie and the session's CSRF token (the console holds no token).
import { createSessionClient, ok, OvercastError, type Schemas } from "@overcast/client";

let csrf: string | undefined;

// Whether this browser logged in (the session cookie is HttpOnly, so the
// page cannot see it): without this mark the console goes straight to the
// sign-in page instead of asking /v1/me for a 401.
const MARK = "overcast.session";

export function setCsrfToken(token: string | undefined) {
  csrf = token;
  if (token) localStorage.setItem(MARK, "1");
  else localStorage.removeItem(MARK);
}

export function mayBeLoggedIn(): boolean {
  return localStorage.getItem(MARK) !== null;
}

export const api = createSessionClient(window.location.origin, () => csrf);
export { ok, OvercastError };
export type { Schemas };

/** The message to show for any failure: the API's, with its request id. */
export function describe(error: unknown): string {
  if (error instanceof OvercastError) {
    return `${error.message.replace(/ \(.*\)$/, "")} (request ${error.requestId})`;
  }
  return error instanceof Error ? error.message : String(error);
}
