// ng serve's proxy: /cph-proxy/... on the page's origin to the mock (a
// console points it at a region's endpoint instead). CPH sends no CORS
// headers, so a page can only call it through a path of its own origin.
export default {
  "/cph-proxy": { target: process.env.CPH_MOCK_URL, pathRewrite: { "^/cph-proxy": "" }, changeOrigin: true },
};
