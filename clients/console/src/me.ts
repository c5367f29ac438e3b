// Who is logged in, as the shell read it from GET /v1/me.
import { useQueryClient } from "@tanstack/react-query";
import type { Schemas } from "./api";

export type Me = Schemas["Me"];

export function useCurrentUser(): Me {
  const me = useQueryClient().getQueryData<Me | null>(["me"]);
  if (!me) throw new Error("no one is logged in");
  return me;
}

/** Whether the caller may manage the account's users, invitations and tokens. */
export function isPeopleAdmin(me: Me): boolean {
  return me.user ? me.user.role === "account_admin" : me.scope !== "account_read_only";
}

export function canWrite(me: Me): boolean {
  return me.scope !== "account_read_only";
}
