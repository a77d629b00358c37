/**
 * A readable page of the API, rendered in the browser from /api/openapi.json. Self-contained (no
 * CDN): Quanta runs on machines without internet access.
 */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quanta API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1d232a}
h1{margin-bottom:0}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f6f8;padding:.6rem;overflow:auto;border-radius:4px}
section{border:1px solid #d8dce2;border-radius:6px;margin:1rem 0;padding:.4rem 1rem}
.m{display:inline-block;min-width:4rem;font-weight:700;text-transform:uppercase}.get{color:#0a7b3e}.post{color:#0b5cad}
.put,.patch{color:#9a5b00}.delete{color:#b42318}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid #eee}
</style></head>
<body><h1 id="title">Quanta API</h1><p id="intro">Loading <a href="/api/openapi.json">/api/openapi.json</a>…</p><main id="ops"></main>
<script>
const el = (tag, attrs, ...kids) => { const e = document.createElement(tag); Object.assign(e, attrs || {}); e.append(...kids.filter(k => k != null)); return e; };
const ref = (doc, s) => s && s.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s;
fetch('/api/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('intro').replaceChildren(doc.info.description || '', ' The machine-readable document: ', el('a', { href: '/api/openapi.json', textContent: '/api/openapi.json' }), '.');
  const ops = document.getElementById('ops');
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const s = el('section', { id: op.operationId || method + path });
    s.append(el('h3', {}, el('span', { className: 'm ' + method, textContent: method }), el('code', { textContent: path })));
    if (op.summary) s.append(el('p', { textContent: op.summary }));
    if (op.description) s.append(el('p', { textContent: op.description }));
    if (op.parameters && op.parameters.length) {
      const t = el('table', {}, el('tr', {}, el('th', { textContent: 'parameter' }), el('th', { textContent: 'in' }), el('th', { textContent: 'schema' }), el('th', { textContent: 'description' })));
      for (const p of op.parameters) t.append(el('tr', {}, el('td', {}, el('code', { textContent: p.name + (p.required ? '' : '?') })), el('td', { textContent: p.in }), el('td', {}, el('code', { textContent: JSON.stringify(ref(doc, p.schema)) })), el('td', { textContent: p.description || '' })));
      s.append(t);
    }
    const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (body) s.append(el('p', { textContent: 'Request body (application/json):' }), el('pre', { textContent: JSON.stringify(ref(doc, body.schema), null, 2) }));
    const rs = el('table', {}, el('tr', {}, el('th', { textContent: 'status' }), el('th', { textContent: 'response' })));
    for (const [status, r] of Object.entries(op.responses || {})) rs.append(el('tr', {}, el('td', { textContent: status }), el('td', { textContent: r.description || '' })));
    s.append(rs);
    ops.append(s);
  }
}).catch(e => { document.getElementById('intro').textContent = 'Could not load the OpenAPI document: ' + e; });
</script></body></html>
`;
