// The brand of the host the console was opened on, applied before the
// first paint: the title, the favicon and the colours.
import type { Schemas } from "./api";

export type Brand = Schemas["Brand"];

export async function loadBrand(): Promise<Brand> {
  const r = await fetch("/v1/brand", { credentials: "same-origin" });
  if (!r.ok) throw new Error(`the brand could not be read (${r.status})`);
  const info = (await r.json()) as Schemas["BrandInfo"];
  return info.brand;
}

export function applyBrand(brand: Brand) {
  document.title = brand.display_name;
  const root = document.documentElement.style;
  root.setProperty("--primary", brand.primary_color);
  root.setProperty("--accent", brand.accent_color);
  if (brand.favicon_url) {
    const link = document.createElement("link");
    link.rel = "icon";
    link.href = brand.favicon_url;
    document.head.appendChild(link);
  }
}
