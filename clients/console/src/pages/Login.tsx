// Signing in, and setting a password from an invitation or reset link.
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, describe, ok, OvercastError, setCsrfToken } from "../api";
import type { Brand } from "../brand";

function Card({ brand, title, children }: { brand: Brand; title: string; children: React.ReactNode }) {
  return (
    <main className="card">
      <p className="brand">
        {brand.logo_url ? <img src={brand.logo_url} alt="" className="logo" /> : null}
        <span>{brand.display_name}</span>
      </p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function Login({ brand }: { brand: Brand }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // The second step, for a user with a second factor: a code from the app,
  // or a recovery code.
  const [second, setSecond] = useState<"totp" | "recovery">();
  const [code, setCode] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const factor = second === "totp" ? { totp_code: code } : second === "recovery" ? { recovery_code: code } : {};
      const login = await ok(api.POST("/v1/login", { body: { email, password, ...factor } }));
      setCsrfToken(login.csrf_token);
      await queries.invalidateQueries({ queryKey: ["me"] });
      navigate("/");
    } catch (err) {
      if (err instanceof OvercastError && err.errorCode === "totp_required") setSecond("totp");
      else setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card brand={brand} title="Sign in">
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="email">E-mail</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {second ? (
          <>
            <label htmlFor="code">{second === "totp" ? "Authentication code" : "Recovery code"}</label>
            <input
              id="code"
              autoComplete="one-time-code"
              inputMode={second === "totp" ? "numeric" : "text"}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-describedby="code-hint"
            />
            <small id="code-hint" className="hint">
              {second === "totp" ? "From your authenticator app." : "One of the codes you kept when you turned the second factor on."}
            </small>
            <button type="button" className="link" onClick={() => setSecond(second === "totp" ? "recovery" : "totp")}>
              {second === "totp" ? "Use a recovery code instead" : "Use the authenticator app instead"}
            </button>
          </>
        ) : null}
        {error ? <p role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </Card>
  );
}

export function AcceptInvitation({ brand }: { brand: Brand }) {
  const navigate = useNavigate();
  const secret = window.location.hash.replace(/^#/, "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await ok(api.POST("/v1/invitations/accept", { body: { secret, password } }));
      setDone(true);
    } catch (err) {
      setError(describe(err));
    }
  };
  if (done) {
    return (
      <Card brand={brand} title="Your password is set">
        <button type="button" onClick={() => navigate("/login")}>
          Go to sign in
        </button>
      </Card>
    );
  }
  return (
    <Card brand={brand} title="Choose a password">
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="new-password">New password (at least 10 characters)</label>
        <input id="new-password" type="password" autoComplete="new-password" minLength={10} maxLength={1024} required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error ? <p role="alert">{error}</p> : null}
        <button type="submit">Set password</button>
      </form>
    </Card>
  );
}
