// Vite builds the page from web/ into dist/web (relative URLs, so any static server can host it). The dev
// server sends the cross-origin-isolation headers too and forwards /api to a running `char-lstm serve`.
import { defineConfig } from "vite";

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  base: "./",
  build: { outDir: "../dist/web", emptyOutDir: true, target: "es2022", reportCompressedSize: false, assetsInlineLimit: 0 },
  worker: { format: "es" },
  server: { headers: isolation, proxy: { "/api": "http://127.0.0.1:8080" } },
  preview: { headers: isolation },
});
