// Builds the dashboard (web/) into dist/web, served by the API server under /app/.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // `npx vite` serves the dashboard with hot reload; the API is the server of `npm start`.
    proxy: { '/app/api': process.env.SMSGIC_API_URL ?? 'http://127.0.0.1:3000' },
  },
});
