// The brand editor, with a live preview: a partner admin's own brand, the
// operator's, or (for the operator) any partner's.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api, ok, type Schemas } from "../api";
import { useCurrentUser } from "../me";
import { ErrorNote, SpecForm } from "../ui";

type Brand = Schemas["Brand"];

const FIELDS = [
  "display_name",
  "logo_url",
  "favicon_url",
  "primary_color",
  "accent_color",
  "support_url",
  "support_email",
  "support_phone",
  "navigation",
  "hidden_sections",
];

/** The brand as a customer would see it, from the form's values as typed. */
function Preview({ brand }: { brand: Partial<Brand> }) {
  const primary = brand.primary_color ?? "#1d4ed8";
  const accent = brand.accent_color ?? "#0f766e";
  return (
    <figure className="preview" aria-label="Preview">
      <div className="preview-head" style={{ borderBottomColor: primary }}>
        {brand.logo_url ? <img src={brand.logo_url} alt="" className="logo" /> : null}
        <strong>{brand.display_name || "(no name)"}</strong>
        <span className="preview-button" style={{ background: primary }}>
          Create instance
        </span>
      </div>
      <p className="preview-body">
        <span className="preview-link" style={{ color: primary }}>
          A link
        </span>{" "}
        <span className="preview-focus" style={{ outlineColor: accent }}>
          a focused control
        </span>
      </p>
      <figcaption>
        {brand.support_email ?? ""} {brand.support_phone ?? ""}
      </figcaption>
    </figure>
  );
}

function Editor({
  brand,
  warnings,
  save,
}: {
  brand: Brand;
  warnings: string[];
  save: ReturnType<typeof useMutation<unknown, Error, Brand>>;
}) {
  const [draft, setDraft] = useState<Partial<Brand>>(brand);
  const initial = (v: string | null | undefined) => v ?? "";
  return (
    <div className="brand-editor">
      <div>
        {warnings.length ? (
          <ul className="warnings" aria-label="Brand warnings">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
        <SpecForm
          schema="Brand"
          fields={FIELDS}
          options={{
            display_name: { label: "Display name", initial: brand.display_name },
            logo_url: { label: "Logo URL", initial: initial(brand.logo_url) },
            favicon_url: { label: "Favicon URL", initial: initial(brand.favicon_url) },
            primary_color: { label: "Primary colour", inputType: "color", initial: brand.primary_color },
            accent_color: { label: "Accent colour", inputType: "color", initial: brand.accent_color },
            support_url: { label: "Support URL", initial: initial(brand.support_url) },
            support_email: { label: "Support e-mail", initial: initial(brand.support_email) },
            support_phone: { label: "Support phone", initial: initial(brand.support_phone) },
            navigation: { label: "Navigation", initial: initial(brand.navigation) },
            hidden_sections: { label: "Sections customers do not see", initial: brand.hidden_sections ?? [] },
          }}
          submitLabel="Save brand"
          busy={save.isPending}
          error={save.error}
          onChange={(body) => setDraft(body as Partial<Brand>)}
          // The editor does not show footer links: they are kept as they are.
          onSubmit={(body) => save.mutate({ footer_links: brand.footer_links, ...body } as Brand)}
        />
      </div>
      <Preview brand={draft} />
    </div>
  );
}

/** The operator's own brand, or a partner admin's. */
export function OwnBrand() {
  const me = useCurrentUser();
  if (me.scope === "partner_admin" && me.partner_id) return <PartnerBrand id={me.partner_id} />;
  return <OperatorBrand />;
}

export function PartnerBrandPage() {
  const { id = "" } = useParams();
  return <PartnerBrand id={id} />;
}

function PartnerBrand({ id }: { id: string }) {
  const queries = useQueryClient();
  const partner = useQuery({
    queryKey: ["partner", id],
    queryFn: () => ok(api.GET("/v1/partners/{partner}", { params: { path: { partner: id } } })),
  });
  const save = useMutation({
    mutationFn: (brand: Brand) => ok(api.PUT("/v1/partners/{partner}", { params: { path: { partner: id } }, body: { brand } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["partner", id] }),
  });
  const p = partner.data;
  return (
    <section aria-labelledby="brand-title">
      <h1 id="brand-title">Brand{p ? ` of ${p.name}` : ""}</h1>
      <ErrorNote error={partner.error} />
      {p ? (
        <>
          <p>Customers see it on {p.host_names.length ? p.host_names.join(", ") : "no host name yet"}.</p>
          <Editor key={p.time_modified} brand={p.brand} warnings={p.brand_warnings} save={save} />
        </>
      ) : null}
    </section>
  );
}

function OperatorBrand() {
  const queries = useQueryClient();
  const brand = useQuery({
    queryKey: ["operator-brand"],
    queryFn: () => ok(api.GET("/v1/brand")),
  });
  const save = useMutation({
    mutationFn: (b: Brand) => ok(api.PUT("/v1/brand", { body: b })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["operator-brand"] }),
  });
  const b = brand.data;
  return (
    <section aria-labelledby="brand-title">
      <h1 id="brand-title">Brand</h1>
      <p>What customers see on any host name no partner has.</p>
      <ErrorNote error={brand.error} />
      {b ? <Editor key={JSON.stringify(b.brand)} brand={b.brand} warnings={b.warnings} save={save} /> : null}
    </section>
  );
}
