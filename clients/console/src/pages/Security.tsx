// The logged-in person's second factor: set up with an authenticator app
// (recovery codes shown once), or turned off with a code.
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api";
import { useCurrentUser } from "../me";
import { ErrorNote } from "../ui";

/**
 * A QR code of `text`, for an authenticator app's camera: black modules on
 * white with the standard four-module quiet zone. The encoder
 * (`qrcode-generator`) loads with this page only, not with the first load.
 */
function QrCode({ text, label }: { text: string; label: string }) {
  const [path, setPath] = useState<{ d: string; size: number }>();
  useEffect(() => {
    let live = true;
    void import("qrcode-generator").then(({ default: qrcode }) => {
      const qr = qrcode(0, "M");
      qr.addData(text);
      qr.make();
      const n = qr.getModuleCount();
      let d = "";
      for (let row = 0; row < n; row++)
        for (let col = 0; col < n; col++) if (qr.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
      if (live) setPath({ d, size: n + 8 });
    });
    return () => {
      live = false;
    };
  }, [text]);
  if (!path) return null;
  return (
    <svg className="qr" role="img" aria-label={label} viewBox={`0 0 ${path.size} ${path.size}`} shapeRendering="crispEdges">
      <rect width={path.size} height={path.size} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}

function CodeForm({ label, submit, busy, error, onSubmit }: {
  label: string;
  submit: string;
  busy: boolean;
  error: unknown;
  onSubmit: (code: string) => void;
}) {
  const [code, setCode] = useState("");
  const send = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(code);
  };
  return (
    <form className="form" onSubmit={send}>
      <label htmlFor="totp-code">{label}</label>
      <input id="totp-code" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {busy ? "Working…" : submit}
      </button>
    </form>
  );
}

export function Security() {
  const me = useCurrentUser();
  const queries = useQueryClient();
  const [enrollment, setEnrollment] = useState<Schemas["TotpEnrollment"]>();
  const [codes, setCodes] = useState<string[]>();
  const refresh = () => queries.invalidateQueries({ queryKey: ["me"] });
  const enroll = useMutation({ mutationFn: () => ok(api.POST("/v1/me/totp")), onSuccess: setEnrollment });
  const confirm = useMutation({
    mutationFn: (code: string) => ok(api.POST("/v1/me/totp/confirm", { body: { code } })),
    onSuccess: async (r) => {
      setEnrollment(undefined);
      setCodes(r.codes);
      await refresh();
    },
  });
  const disable = useMutation({
    mutationFn: (code: string) => ok(api.POST("/v1/me/totp/disable", { body: { code } })),
    onSuccess: refresh,
  });
  if (!me.user) return <p>A token has no second factor; people set theirs when logged in.</p>;
  const on = me.user.totp_enabled;
  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      <h2>Second factor</h2>
      <p>
        Status: <strong>{on ? "on" : "off"}</strong>. With it on, signing in also needs a code from an authenticator app.
      </p>
      {codes ? (
        <div className="secret" role="status">
          <p>
            <strong>Recovery codes</strong> Keep them somewhere safe: each one signs you in once without the app. They are
            shown this once.
          </p>
          <ul className="codes" aria-label="Recovery codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {on ? (
        <>
          <h3>Turn it off</h3>
          <CodeForm label="Code from the app, or a recovery code" submit="Turn off" busy={disable.isPending} error={disable.error} onSubmit={(c) => disable.mutate(c)} />
        </>
      ) : enrollment ? (
        <>
          <p>Scan this code with your authenticator app, or add the key by hand (or open the link on the device that has the app), then type the code it shows.</p>
          <QrCode text={enrollment.otpauth_url} label="QR code for an authenticator app" />
          <p>
            Key: <code aria-label="Secret key">{enrollment.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
          </p>
          <p>
            <a href={enrollment.otpauth_url}>Open in an authenticator app</a>
          </p>
          <CodeForm label="Code from the app" submit="Turn on" busy={confirm.isPending} error={confirm.error} onSubmit={(c) => confirm.mutate(c)} />
        </>
      ) : (
        <>
          <button type="button" disabled={enroll.isPending} onClick={() => enroll.mutate()}>
            Set up a second factor
          </button>
          <ErrorNote error={enroll.error} />
        </>
      )}
    </section>
  );
}
