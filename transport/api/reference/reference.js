// Renders the OpenAPI document with Redoc. A script file of its own, not
// inline: the page's Content-Security-Policy runs scripts from this
// server only.
"use strict";
Redoc.init("/api/v1/openapi.json", {
  disableSearch: false,
  hideDownloadButton: false,
  expandResponses: "200,201",
  jsonSampleExpandLevel: 3,
}, document.getElementById("reference"));
