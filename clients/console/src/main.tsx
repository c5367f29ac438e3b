// Boot: read the brand for this host first, so nothing but the partner's
// (or the operator's) brand is ever painted, then render the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { OvercastError, setCsrfToken } from "./api";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { applyBrand, loadBrand } from "./brand";
import "./styles.css";

const queries: QueryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
  // A session that ended (elsewhere, or idle) sends the console to sign-in.
  queryCache: new QueryCache({
    onError: (error) => {
      if (error instanceof OvercastError && error.status === 401) {
        setCsrfToken(undefined);
        queries.setQueryData(["me"], null);
      }
    },
  }),
});

async function boot() {
  const root = createRoot(document.getElementById("root")!);
  try {
    const brand = await loadBrand();
    applyBrand(brand);
    root.render(
      <StrictMode>
        <QueryClientProvider client={queries}>
          <BrowserRouter>
            <App brand={brand} />
          </BrowserRouter>
        </QueryClientProvider>
      </StrictMode>,
    );
  } catch (e) {
    root.render(<p role="alert">{String(e)}</p>);
  }
}

void boot();
