// The console's shell: who is logged in, the brand's layout, and the pages.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, NavLink, Route, Routes, useNavigate } from "react-router";
import { api, describe, mayBeLoggedIn, ok, OvercastError, setCsrfToken } from "./api";
import type { Brand } from "./brand";
import { Login, AcceptInvitation } from "./pages/Login";
import { ComposeInstance, Instances, InstanceDetail, NewInstance } from "./pages/Instances";
import { Dashboard } from "./pages/Dashboard";
import { DriveDetail, Drives, NewDrive } from "./pages/Drives";
import { SnapshotDetail } from "./pages/Snapshots";
import { IpAddresses } from "./pages/IpAddresses";
import { SshKeys } from "./pages/SshKeys";
import { Projects } from "./pages/Projects";
import { Tokens, Users } from "./pages/People";
import { Events } from "./pages/Events";
import { Accounts, AccountDetail } from "./pages/Accounts";
import { OwnBrand, PartnerBrandPage } from "./pages/BrandEditor";
import { Hosts, Images, IpPools, Partners } from "./pages/Fleet";
import { Security } from "./pages/Security";
import { ProjectPicker, ProjectProvider } from "./project";
import { isStaff, type Me } from "./me";

/** The customer's sections, in the navigation's order. */
const SECTIONS: { key: NonNullable<Brand["hidden_sections"]>[number]; path: string; title: string }[] = [
  { key: "dashboard", path: "/dashboard", title: "Dashboard" },
  { key: "instances", path: "/instances", title: "Instances" },
  { key: "drives", path: "/drives", title: "Drives" },
  { key: "ip_addresses", path: "/ip-addresses", title: "IP addresses" },
  { key: "ssh_keys", path: "/ssh-keys", title: "SSH keys" },
  { key: "projects", path: "/projects", title: "Projects" },
  { key: "users", path: "/users", title: "Users" },
  { key: "tokens", path: "/tokens", title: "API tokens" },
  { key: "events", path: "/events", title: "Audit log" },
];

/** Everyone's own: the second factor. */
const OWN_SECTIONS = [{ path: "/security", title: "Security" }];

/** What partner admins run: their accounts, their people, their brand. */
const PARTNER_SECTIONS = [
  { path: "/accounts", title: "Accounts" },
  { path: "/staff", title: "Staff" },
  { path: "/brand", title: "Brand" },
  { path: "/tokens", title: "API tokens" },
  { path: "/events", title: "Audit log" },
];

/** What the operator runs: the fleet and everyone on it. */
const OPERATOR_SECTIONS = [
  { path: "/hosts", title: "Hosts" },
  { path: "/ip-pools", title: "IP pools" },
  { path: "/images", title: "Images" },
  { path: "/partners", title: "Partners" },
  { path: "/accounts", title: "Accounts" },
  { path: "/staff", title: "Staff" },
  { path: "/brand", title: "Brand" },
  { path: "/tokens", title: "API tokens" },
  { path: "/events", title: "Audit log" },
];

/** The caller, or null when nobody is logged in. */
function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async (): Promise<Me | null> => {
      if (!mayBeLoggedIn()) return null;
      try {
        const me = await ok(api.GET("/v1/me"));
        setCsrfToken(me.csrf_token ?? undefined);
        return me;
      } catch (e) {
        if (e instanceof OvercastError && e.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw e;
      }
    },
  });
}

export function App({ brand }: { brand: Brand }) {
  const me = useMe();
  if (me.isPending) return <p className="loading">Loading…</p>;
  if (me.isError) return <p role="alert">{describe(me.error)}</p>;
  return (
    <Routes>
      <Route path="/login" element={me.data ? <Navigate to="/" replace /> : <Login brand={brand} />} />
      <Route path="/invitation" element={<AcceptInvitation brand={brand} />} />
      <Route
        path="/*"
        element={
          me.data ? (
            <ProjectProvider enabled={!isStaff(me.data)}>
              <Shell brand={brand} me={me.data} />
            </ProjectProvider>
          ) : (
            <Navigate to="/login" replace />
          )
        }
      />
    </Routes>
  );
}

function Shell({ brand, me }: { brand: Brand; me: Me }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const hidden = new Set(brand.hidden_sections ?? []);
  const sections = isStaff(me)
    ? me.scope === "operator"
      ? OPERATOR_SECTIONS
      : PARTNER_SECTIONS
    : SECTIONS.filter((s) => !hidden.has(s.key));
  const everything = [...sections, ...(me.user ? OWN_SECTIONS : [])];
  const logout = async () => {
    await ok(api.POST("/v1/logout"));
    setCsrfToken(undefined);
    // Nobody is logged in now: drop what the session could see.
    queries.setQueryData(["me"], null);
    queries.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    navigate("/login");
  };
  return (
    <div className={`shell nav-${brand.navigation ?? "side"}`}>
      <header className="masthead">
        <Link to="/" className="brand">
          {brand.logo_url ? <img src={brand.logo_url} alt="" className="logo" /> : null}
          <span>{brand.display_name}</span>
        </Link>
        {isStaff(me) ? null : <ProjectPicker />}
        <span className="who">{me.user?.email}</span>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <nav aria-label="Sections">
        <ul>
          {everything.map((s) => (
            <li key={s.path}>
              <NavLink to={s.path}>{s.title}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <Routes>
          <Route index element={<Navigate to={sections[0]?.path ?? "/tokens"} replace />} />
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="instances" element={<Instances />} />
          <Route path="instances/new" element={<NewInstance />} />
          <Route path="instances/compose" element={<ComposeInstance />} />
          <Route path="instances/:id" element={<InstanceDetail />} />
          <Route path="drives" element={<Drives />} />
          <Route path="drives/new" element={<NewDrive />} />
          <Route path="drives/:id" element={<DriveDetail />} />
          <Route path="snapshots/:id" element={<SnapshotDetail />} />
          <Route path="ip-addresses" element={<IpAddresses />} />
          <Route path="ssh-keys" element={<SshKeys />} />
          <Route path="projects" element={<Projects />} />
          <Route path="users" element={<Users />} />
          <Route path="tokens" element={<Tokens />} />
          <Route path="events" element={<Events />} />
          <Route path="accounts" element={<Accounts />} />
          <Route path="accounts/:id" element={<AccountDetail />} />
          <Route path="staff" element={<Users title="Staff" />} />
          <Route path="brand" element={<OwnBrand />} />
          <Route path="partners/:id/brand" element={<PartnerBrandPage />} />
          <Route path="hosts" element={<Hosts />} />
          <Route path="ip-pools" element={<IpPools />} />
          <Route path="images" element={<Images />} />
          <Route path="partners" element={<Partners />} />
          <Route path="security" element={<Security />} />
          <Route path="*" element={<p>There is no such page.</p>} />
        </Routes>
      </main>
      <footer>
        {(brand.footer_links ?? []).map((l) => (
          <a key={l.url} href={l.url}>
            {l.label}
          </a>
        ))}
        {brand.support_url ? <a href={brand.support_url}>Support</a> : null}
        {brand.support_email ? <a href={`mailto:${brand.support_email}`}>{brand.support_email}</a> : null}
        {brand.support_phone ? <span>{brand.support_phone}</span> : null}
      </footer>
    </div>
  );
}
