import type { MapPoint } from './projection.ts';
import type { PeopleReport, ReportFace, ReportPerson } from './model.ts';

/** The report page: one self-contained HTML file (inline CSS and JS, no network), with face
 * thumbnails and source photos referenced by relative links. Every file name and user text is
 * escaped: photo folders are not trusted input. */

export interface RenderOptions {
  /** Link from the output folder to a source photo (relative, URL-encoded). */
  readonly photoHref: (photo: string) => string;
  readonly map: readonly MapPoint[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const esc = escapeHtml;

/** Distinct colours for the largest people, then golden-angle hues. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#edc948',
  '#76b7b2',
  '#ff9da7',
  '#9c755f',
  '#2f4b7c',
  '#a05195',
  '#d45087',
  '#665191',
  '#ff7c43',
  '#003f5c',
  '#7a9e3d',
];
export const UNASSIGNED_COLOUR = '#9aa0a6';
export function personColour(rank: number): string {
  return PALETTE[rank] ?? `hsl(${Math.round((rank * 137.508) % 360)} 55% 48%)`;
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const anchorOf = (id: string): string => `person-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function faceTile(face: ReportFace, options: RenderOptions, lazy: boolean): string {
  const quality = face.quality
    ? ` · quality ${face.quality.score.toFixed(2)}${face.quality.reasons.length > 0 ? ` (${face.quality.reasons.join(', ')})` : ''}`
    : '';
  const title = `${face.photo} — detector score ${face.score.toFixed(2)}${quality}`;
  return (
    `<a class="face" href="${esc(options.photoHref(face.photo))}" target="_blank" rel="noopener" title="${esc(title)}">` +
    `<img src="${esc(face.thumb)}" alt="${esc(`face in ${face.photo}`)}" width="88" height="88"${lazy ? ' loading="lazy"' : ''} decoding="async"></a>`
  );
}

function personCard(p: ReportPerson, rank: number): string {
  return (
    `<a class="person-card" href="#${anchorOf(p.id)}" data-person-id="${esc(p.id)}" data-label="${esc(p.label.toLowerCase())}" style="--c:${personColour(rank)}">` +
    `<img class="cover" src="${esc(p.cover.thumb)}" alt="${esc(p.label)}" width="104" height="104">` +
    `<span class="label">${esc(p.label)}</span>` +
    `<span class="count">${plural(p.face_count, 'face')} · ${plural(p.photo_count, 'photo')}</span></a>`
  );
}

function personSection(p: ReportPerson, rank: number, options: RenderOptions): string {
  const photos = p.photos
    .map((ph) => `<li><a href="${esc(options.photoHref(ph))}" target="_blank" rel="noopener">${esc(ph)}</a></li>`)
    .join('');
  return (
    `<article class="person" id="${anchorOf(p.id)}" style="--c:${personColour(rank)}">` +
    `<header><img class="cover" src="${esc(p.cover.thumb)}" alt="" width="64" height="64" loading="lazy">` +
    `<div><h3>${esc(p.label)}</h3><p>${plural(p.face_count, 'face')} in ${plural(p.photo_count, 'photo')} · cohesion ${p.cohesion.toFixed(2)} · <code>${esc(p.id)}</code></p></div>` +
    `<a class="up" href="#people" title="back to all people">↑</a></header>` +
    `<div class="faces">${p.faces.map((f) => faceTile(f, options, true)).join('')}</div>` +
    `<details><summary>${plural(p.photo_count, 'source photo')}</summary><ul class="photos">${photos}</ul></details></article>`
  );
}

function mapSvg(report: PeopleReport, options: RenderOptions): string {
  if (options.map.length === 0) return '<p class="empty">No faces to map yet.</p>';
  const owner = new Map<string, { rank: number; person: ReportPerson }>();
  report.people.forEach((person, rank) => person.faces.forEach((f) => owner.set(f.face_id, { rank, person })));
  const faces = new Map<string, ReportFace>();
  for (const f of [...report.people.flatMap((p) => p.faces), ...report.unassigned, ...report.gated])
    faces.set(f.face_id, f);
  const W = 1000;
  const H = 620;
  const pad = 24;
  // Unassigned first, so coloured dots are drawn on top.
  const points = [...options.map].sort((a, b) => Number(owner.has(a.id)) - Number(owner.has(b.id)));
  const dots = points.map((pt) => {
    const face = faces.get(pt.id);
    const who = owner.get(pt.id);
    const cx = (pad + pt.x * (W - 2 * pad)).toFixed(1);
    const cy = (pad + pt.y * (H - 2 * pad)).toFixed(1);
    const label = who ? who.person.label : 'unassigned';
    return (
      `<circle cx="${cx}" cy="${cy}" r="${who ? 7 : 5}" fill="${who ? personColour(who.rank) : UNASSIGNED_COLOUR}"` +
      ` data-person="${who ? esc(anchorOf(who.person.id)) : ''}" data-thumb="${esc(face?.thumb ?? '')}" data-label="${esc(label)}" data-photo="${esc(face?.photo ?? '')}">` +
      `<title>${esc(`${label} — ${face?.photo ?? pt.id}`)}</title></circle>`
    );
  });
  const legend = report.people
    .map(
      (p, rank) =>
        `<li data-person="${esc(anchorOf(p.id))}"><span class="dot" style="background:${personColour(rank)}"></span>${esc(p.label)} <small>${p.face_count}</small></li>`,
    )
    .join('');
  const unassignedLegend =
    report.unassigned.length > 0
      ? `<li><span class="dot" style="background:${UNASSIGNED_COLOUR}"></span>unassigned <small>${report.unassigned.length}</small></li>`
      : '';
  return (
    `<div class="map-wrap"><svg id="map-svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="2-D map of face vectors coloured by person">${dots.join('')}</svg>` +
    `<div id="tip" hidden><img alt=""><span></span></div></div><ul class="legend">${legend}${unassignedLegend}</ul>`
  );
}

const CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--accent:#4e79a7;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1b2029;--ink:#e8eaef;--muted:#98a2b3;--line:#2b3240}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
a{color:inherit}
.top{background:linear-gradient(135deg,#24324a,#3c5a80);color:#fff;padding:28px max(24px,calc(50% - 600px)) 18px}
.brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:12px;opacity:.75}
.top h1{margin:6px 0 4px;font-size:30px;font-weight:650}
.sub{margin:0;opacity:.8;font-size:13px;word-break:break-all}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:16px 0 14px;padding:0;list-style:none}
.stats li{background:rgba(255,255,255,.14);border-radius:999px;padding:4px 12px;font-size:13px}
.stats b{font-size:15px;margin-right:4px}
nav{display:flex;gap:18px;font-size:14px}
nav a{color:#fff;opacity:.85;text-decoration:none;border-bottom:2px solid transparent;padding-bottom:2px}
nav a:hover{opacity:1;border-color:#fff}
main{max-width:1200px;margin:0 auto;padding:8px 24px 48px}
section{margin-top:28px}
h2{font-size:20px;margin:0 0 4px}
.hint{color:var(--muted);margin:0 0 14px;font-size:13px}
.toolbar{display:flex;justify-content:space-between;align-items:end;gap:12px;flex-wrap:wrap}
#filter{padding:7px 12px;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--ink);min-width:220px}
.people-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(132px,1fr));gap:12px;margin-top:12px}
.person-card{display:flex;flex-direction:column;align-items:center;gap:4px;padding:16px 4px 14px;background:var(--card);border-radius:14px;text-decoration:none;box-shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.1);transition:transform .12s,box-shadow .12s}
.person-card:hover{transform:translateY(-2px);box-shadow:0 6px 16px rgba(16,24,40,.14)}
.person-card .cover{width:104px;height:104px;border-radius:50%;object-fit:cover;border:4px solid var(--c);background:var(--line)}
.person-card .label{font-weight:600;margin-top:6px}
.person-card .count{color:var(--muted);font-size:12px;white-space:nowrap}
.map-wrap{position:relative;background:var(--card);border-radius:14px;box-shadow:0 1px 3px rgba(16,24,40,.1);padding:8px}
#map-svg{width:100%;height:auto;display:block}
#map-svg circle{stroke:var(--card);stroke-width:1.5;cursor:pointer;transition:opacity .15s}
#map-svg.focus circle{opacity:.15}
#map-svg.focus circle.on{opacity:1}
#tip{position:absolute;pointer-events:none;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:6px;box-shadow:0 6px 18px rgba(0,0,0,.2);display:flex;flex-direction:column;align-items:center;gap:4px;font-size:12px;max-width:160px;text-align:center}
#tip[hidden]{display:none}
#tip img{width:96px;height:96px;border-radius:8px;object-fit:cover}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;list-style:none;padding:0;margin:12px 0 0;font-size:13px}
.legend li{cursor:default;display:flex;align-items:center;gap:6px}
.legend small{color:var(--muted)}
.dot{width:11px;height:11px;border-radius:50%;display:inline-block}
.person{background:var(--card);border-radius:14px;padding:16px;margin-top:14px;box-shadow:0 1px 3px rgba(16,24,40,.1);border-left:5px solid var(--c);scroll-margin-top:12px}
.person>header{display:flex;align-items:center;gap:14px}
.person>header .cover{width:64px;height:64px;border-radius:50%;object-fit:cover;border:3px solid var(--c)}
.person h3{margin:0;font-size:17px}
.person p{margin:2px 0 0;color:var(--muted);font-size:13px}
.person code{font-size:11.5px}
.up{margin-left:auto;text-decoration:none;color:var(--muted);font-size:20px;padding:0 6px}
.faces{display:flex;flex-wrap:wrap;gap:6px;margin-top:12px}
.face img{width:88px;height:88px;border-radius:8px;object-fit:cover;display:block;background:var(--line);transition:transform .1s}
.face:hover img{transform:scale(1.06)}
details{margin-top:10px;font-size:13px}
summary{cursor:pointer;color:var(--muted)}
.photos{columns:3 260px;margin:8px 0 0;padding-left:18px}
.photos li{word-break:break-all}
table{width:100%;border-collapse:collapse;background:var(--card);border-radius:12px;overflow:hidden;font-size:13.5px;box-shadow:0 1px 3px rgba(16,24,40,.1)}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
td.file{word-break:break-all}
.code{display:inline-block;background:var(--bg);border-radius:6px;padding:1px 7px;font-size:12px;font-family:ui-monospace,monospace}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;padding:24px}
`;

const JS = `
(() => {
  const filter = document.getElementById('filter');
  if (filter) filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const card of document.querySelectorAll('.person-card')) card.hidden = q !== '' && !card.dataset.label.includes(q);
  });
  const svg = document.getElementById('map-svg');
  const tip = document.getElementById('tip');
  if (!svg || !tip) return;
  const img = tip.querySelector('img');
  const text = tip.querySelector('span');
  const wrap = svg.parentElement;
  const focus = (person) => {
    svg.classList.toggle('focus', Boolean(person));
    for (const c of svg.querySelectorAll('circle')) c.classList.toggle('on', Boolean(person) && c.dataset.person === person);
  };
  svg.addEventListener('mouseover', (e) => {
    const c = e.target.closest('circle');
    if (!c) return;
    if (c.dataset.thumb) img.src = c.dataset.thumb;
    text.textContent = c.dataset.label + ' · ' + c.dataset.photo;
    tip.hidden = false;
    const box = wrap.getBoundingClientRect();
    const r = c.getBoundingClientRect();
    const left = Math.min(r.left - box.left + 14, box.width - 170);
    tip.style.left = Math.max(0, left) + 'px';
    tip.style.top = Math.max(0, r.top - box.top - 60) + 'px';
    focus(c.dataset.person);
  });
  svg.addEventListener('mouseout', () => { tip.hidden = true; focus(''); });
  svg.addEventListener('click', (e) => {
    const c = e.target.closest('circle');
    if (c && c.dataset.person) location.hash = c.dataset.person;
  });
  for (const li of document.querySelectorAll('.legend li[data-person]')) {
    li.addEventListener('mouseenter', () => focus(li.dataset.person));
    li.addEventListener('mouseleave', () => focus(''));
  }
})();
`;

export function renderReportHtml(report: PeopleReport, options: RenderOptions): string {
  const s = report.summary;
  const title =
    s.people > 0
      ? `${plural(s.people, 'person', 'people')} in ${plural(s.photos, 'photo')}`
      : `No people found in ${plural(s.photos, 'photo')}`;
  const people = report.people;
  const skippedRows = report.skipped
    .map(
      (k) =>
        `<tr><td class="file">${esc(k.file)}</td><td><span class="code">${esc(k.code)}</span></td><td>${esc(k.reason)}</td></tr>`,
    )
    .join('');
  const duplicateRows = report.duplicates
    .map(
      (d) =>
        `<tr><td class="file">${esc(d.file)}</td><td><span class="code">duplicate</span></td><td>same content as ${esc(d.same_as)}</td></tr>`,
    )
    .join('');
  const unassigned = report.unassigned.map((f) => faceTile(f, options, true)).join('');
  const gated = report.gated.map((f) => faceTile(f, options, true)).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rankface · ${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top">
<div class="brand">rankface</div>
<h1>${esc(title)}</h1>
<p class="sub">${esc(report.photos_dir)} · ${esc(report.generated_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))} · ${esc(report.models.detector)} + ${esc(report.models.embedder)}</p>
<ul class="stats">
<li><b>${s.photos}</b>photos</li><li><b>${s.faces}</b>faces</li><li><b>${s.people}</b>people</li><li><b>${s.unassigned}</b>unassigned</li><li><b>${s.skipped}</b>skipped</li>
</ul>
<nav><a href="#people">People</a><a href="#map">Map</a><a href="#details">Faces by person</a><a href="#unassigned">Unassigned (${s.unassigned})</a><a href="#gated">Low quality (${s.gated})</a><a href="#skipped">Skipped (${s.skipped})</a></nav>
</header>
<main>
<section id="people">
<div class="toolbar"><div><h2>People</h2><p class="hint">Largest first. Click a person to see all their faces; click a face to open its photo.</p></div>${people.length > 8 ? '<input id="filter" type="search" placeholder="Filter people…" aria-label="Filter people">' : ''}</div>
${people.length > 0 ? `<div class="people-grid">${people.map((p, i) => personCard(p, i)).join('')}</div>` : '<p class="empty">No face appeared often enough to form a person yet.</p>'}
</section>
<section id="map">
<h2>Embedding map</h2>
<p class="hint">Every dot is a face, placed by its identity vector (UMAP, cosine distance): faces of one person sit together. Hover a dot to see the face; click to jump to its person.</p>
${mapSvg(report, options)}
</section>
<section id="details">
<h2>Faces by person</h2>
${people.map((p, i) => personSection(p, i, options)).join('\n')}
</section>
<section id="unassigned">
<h2>Unassigned faces</h2>
<p class="hint">Faces that matched nobody else (seen once, or too blurred or turned to be sure).</p>
${unassigned ? `<div class="faces">${unassigned}</div>` : '<p class="empty">None.</p>'}
</section>
<section id="gated">
<h2>Low-quality faces</h2>
<p class="hint">Too small, cut by the edge, blurred, turned away or unlike a face to be grouped safely: left out of people (hover a face for the reasons). Move one into a person if you know who it is.</p>
${gated ? `<div class="faces">${gated}</div>` : '<p class="empty">None.</p>'}
</section>
<section id="skipped">
<h2>Skipped files</h2>
${skippedRows || duplicateRows ? `<table><thead><tr><th>File</th><th>Code</th><th>Reason</th></tr></thead><tbody>${skippedRows}${duplicateRows}</tbody></table>` : '<p class="empty">None: every file was read.</p>'}
</section>
</main>
<footer>Made by rankface on this computer: no photo left it.</footer>
<script>${JS}</script>
</body>
</html>
`;
}
