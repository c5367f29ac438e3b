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
  return me.user ? me.user.role !== "account_member" && me.user.role !== "account_read_only" : me.scope !== "account_read_only";
}

/** Partner or operator staff, who run accounts rather than instances. */
export function isStaff(me: Me): boolean {
  return me.scope === "operator" || me.scope === "partner_admin";
}

export function canWrite(me: Me): boolean {
  return me.scope !== "account_read_only";
}
