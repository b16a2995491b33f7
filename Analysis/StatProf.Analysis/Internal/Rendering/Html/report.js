// StatProf HTML report: a hand-written flame graph over absolutely positioned divs.
// Kept as a real file in the repository and embedded in StatProf.Analysis.
// Every name (frame, request, file) is data: it reaches the page through textContent only,
// never through innerHTML or markup built from strings.
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('statprof-data').textContent);
  const names = D.names;
  const stats = D.stats;
  const isDiff = D.mode === 'diff';
  const changes = D.changesByName || null;
  const sources = D.frameSources || [];
  const byLine = D.byLine || null;
  const ROW = 18;
  const MIN_PX = 1;
  const BOUNDARY_MARK = 0.05; // call paths holding at least this share of the boundary time are underlined
  const $ = (id) => document.getElementById(id);
  const flame = $('flame');
  const tooltip = $('tooltip');

  const state = {
    graph: 0,
    focus: 0,
    flame: false,
    leftHeavy: true,
    color: isDiff ? 'change' : 'state',
    search: null,
    sortKey: 'ms',
    sortAsc: false,
  };

  // ---- formatting -------------------------------------------------------------------------
  const int = (n) => Math.round(n).toLocaleString('en-US');
  function pct(x) {
    const p = x * 100;
    return (p >= 10 || p === 0 ? p.toFixed(1) : p.toFixed(2)) + ' %';
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // The normal quantile (Acklam's rational approximation) for the interval's z.
  function probit(p) {
    const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239];
    const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    const lo = 0.02425;
    let q, r;
    if (p < lo) {
      q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - lo) return -probit(1 - p);
    q = p - 0.5; r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const Z = probit(1 - (1 - (D.confidence || 0.95)) / 2);
  const LEVEL = Math.round((D.confidence || 0.95) * 100) + ' %';
  function wilson(k, n) {
    if (n <= 0) return [0, 1];
    const p = k / n, z2 = Z * Z, den = 1 + z2 / n;
    const mid = (p + z2 / (2 * n)) / den;
    const half = (Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / den;
    return [Math.max(0, mid - half), Math.min(1, mid + half)];
  }

  // ---- graphs -------------------------------------------------------------------------------
  const built = [];
  function graph(i) {
    if (built[i]) return built[i];
    const src = D.graphs[i];
    const n = src.n, count = n.length / 6;
    const g = {
      label: src.label, hidden: src.hidden, hiddenSamples: src.hiddenSamples, threshold: src.threshold, count,
      name: new Int32Array(count), parent: new Int32Array(count), total: new Float64Array(count),
      self: new Float64Array(count), running: new Float64Array(count), waiting: new Float64Array(count),
      depth: new Int32Array(count), children: [], ordered: {},
    };
    for (let k = 0; k < count; k++) {
      g.name[k] = n[k * 6]; g.parent[k] = n[k * 6 + 1]; g.total[k] = n[k * 6 + 2];
      g.self[k] = n[k * 6 + 3]; g.running[k] = n[k * 6 + 4]; g.waiting[k] = n[k * 6 + 5];
      g.children.push([]);
      if (k > 0) {
        g.children[g.parent[k]].push(k);
        g.depth[k] = g.depth[g.parent[k]] + 1;
      }
    }
    g.boundary = new Float64Array(count);
    g.boundaryTotal = 0;
    const b = src.b || [];
    for (let k = 0; k < b.length; k += 2) {
      g.boundary[b[k]] = b[k + 1];
      g.boundaryTotal += b[k + 1];
    }
    built[i] = g;
    return g;
  }
  function children(g, node) {
    const key = state.leftHeavy ? 'w' : 'a';
    let cache = g.ordered[key];
    if (!cache) cache = g.ordered[key] = [];
    let list = cache[node];
    if (!list) {
      list = g.children[node].slice();
      if (state.leftHeavy) list.sort((x, y) => g.total[y] - g.total[x] || nameOf(g, x).localeCompare(nameOf(g, y)));
      else list.sort((x, y) => nameOf(g, x).localeCompare(nameOf(g, y)));
      cache[node] = list;
    }
    return list;
  }
  const nameOf = (g, node) => (node === 0 ? 'all' : names[g.name[node]]);
  function pathTo(g, node) {
    const path = [];
    for (let k = node; k >= 0; k = g.parent[k]) path.push(k);
    return path.reverse();
  }

  // ---- spots ---------------------------------------------------------------------------------
  const spotRank = new Map(); // name index -> rank (1-based) of the marked spots
  D.spots.slice(0, D.markedSpots).forEach((s, i) => spotRank.set(s[0], i + 1));
  const spotByName = new Map();
  D.spots.forEach((s, i) => spotByName.set(s[0], { rank: i + 1, seconds: s[1], requests: s[2], share: s[3], low: s[4], high: s[5] }));

  // ---- colours -------------------------------------------------------------------------------
  function hash(s) {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function colour(g, node) {
    if (state.color === 'frame') {
      const h = hash(nameOf(g, node));
      return 'hsl(' + (h % 55) + ',' + (70 + (h >> 8) % 25) + '%,' + (62 + (h >> 16) % 12) + '%)';
    }
    if (state.color === 'change') {
      const c = node === 0 ? null : changes[g.name[node]];
      if (!c || c[0] === 0) return '#d0d0d4';
      const delta = Math.abs(c[4] - c[3]) || Math.abs(c[2] - c[1]);
      const strength = Math.min(1, 0.35 + delta * 4);
      return c[0] === 1 ? 'rgba(214,39,40,' + strength + ')' : 'rgba(31,119,180,' + strength + ')';
    }
    const t = g.total[node] || 1;
    const r = (g.running[node] / t) * 100, w = ((g.running[node] + g.waiting[node]) / t) * 100;
    return 'linear-gradient(to right,#f4a26b 0 ' + r.toFixed(1) + '%,#8fb1fb ' + r.toFixed(1) + '% ' + w.toFixed(1) + '%,#c9a6ea ' + w.toFixed(1) + '% 100%)';
  }
  function legend() {
    const box = $('legend');
    box.replaceChildren();
    const item = (colourValue, text) => {
      const span = el('span');
      const swatch = el('i');
      swatch.style.background = colourValue;
      span.append(swatch, document.createTextNode(text));
      box.append(span);
    };
    if (state.color === 'state') {
      item('#f4a26b', 'running (on CPU, managed code)');
      item('#8fb1fb', 'waiting (blocked, native)');
      item('#c9a6ea', 'awaiting (async, on no thread)');
    } else if (state.color === 'change') {
      item('rgba(214,39,40,.8)', 'grew significantly');
      item('rgba(31,119,180,.8)', 'shrank significantly');
      item('#d0d0d4', 'no significant change');
    } else {
      item('hsl(25,80%,65%)', 'colour by frame name');
    }
    box.append(el('span', 'outlined #n: optimization spot n, on every path of that frame'));
    const boundary = el('span', 'underlined red: the hot/cold boundary runs under this call path (≥ 5 % of the time between dumps)');
    box.append(boundary);
  }

  // ---- rendering -------------------------------------------------------------------------------
  let drawnFrames = 0;
  function render() {
    const g = graph(state.graph);
    const width = flame.clientWidth || 1000;
    const focus = state.focus;
    const focusTotal = g.total[focus] || 1;
    const boxes = [];
    let maxDepth = 0, notDrawn = 0;
    for (const k of pathTo(g, focus)) {
      if (k !== focus) boxes.push([k, 0, width, true]);
    }
    const stack = [[focus, 0]];
    while (stack.length) {
      const [node, x] = stack.pop();
      const w = (g.total[node] / focusTotal) * width;
      boxes.push([node, x, w, false]);
      if (g.depth[node] > maxDepth) maxDepth = g.depth[node];
      let cx = x;
      for (const child of children(g, node)) {
        const cw = (g.total[child] / focusTotal) * width;
        if (cw >= MIN_PX) stack.push([child, cx]); else notDrawn++;
        cx += cw;
      }
    }
    const fragment = document.createDocumentFragment();
    for (const [node, x, w, ancestor] of boxes) {
      const depth = g.depth[node];
      const div = el('div', null, 'frame');
      if (ancestor) div.classList.add('ancestor');
      if (node === focus && focus !== 0) div.classList.add('focus');
      const nameIndex = node === 0 ? -1 : g.name[node];
      const rank = spotRank.get(nameIndex);
      if (rank !== undefined) div.classList.add('spot');
      if (state.search && state.search.matches[node]) div.classList.add('match');
      if (g.boundary[node] >= BOUNDARY_MARK * g.boundaryTotal && g.boundary[node] > 0) div.classList.add('boundary');
      div.dataset.node = node;
      div.style.cssText = 'left:' + x.toFixed(1) + 'px;width:' + Math.max(w - 0.5, 0.5).toFixed(1) + 'px;top:' +
        ((state.flame ? maxDepth - depth : depth) * ROW) + 'px;background:' + colour(g, node);
      if (w >= 18) {
        if (rank !== undefined) div.append(el('span', '#' + rank, 'badge'));
        div.append(document.createTextNode(nameOf(g, node)));
      }
      fragment.append(div);
    }
    flame.replaceChildren(fragment);
    flame.style.height = ((maxDepth + 1) * ROW + 2) + 'px';
    flame.classList.toggle('searching', !!state.search);
    drawnFrames = boxes.length;
    breadcrumb(g);
    hiddenNote(g, notDrawn);
    linesPanel(g);
  }

  // ---- the zoomed frame's samples by source line ------------------------------------------------
  function linesPanel(g) {
    const panel = $('lines-panel');
    const focus = state.focus;
    const rows = focus === 0 || !byLine ? null : byLine[g.name[focus]];
    if (!rows) { panel.hidden = true; return; }
    const s = stats[g.name[focus]];
    const methodTotal = s ? s[1] : 0;
    $('lines-title').textContent = 'By line: ' + nameOf(g, focus);
    const body = document.querySelector('#lines tbody');
    const fragment = document.createDocumentFragment();
    let self = 0;
    for (const r of rows) {
      const tr = el('tr');
      tr.append(el('td', r[0], 'frame-name'), el('td', r[1], 'n'), el('td', int(r[2]), 'n'), el('td', int(r[3]), 'n'),
        el('td', methodTotal > 0 ? pct(r[3] / methodTotal) : '', 'n'));
      self += r[2];
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
    $('lines-note').textContent = 'Samples of this method on all its call paths' + (state.graph === 0 ? '' : ' in all requests') +
      ', by the line it was at (a caller: the line of its call); ' + int(methodTotal) + ' samples in all' +
      (s && s[0] > self ? ', ' + int(s[0] - self) + ' self samples without a line' : '') + '. Lines without samples are not listed.';
    panel.hidden = false;
  }

  function breadcrumb(g) {
    const nav = $('breadcrumb');
    nav.replaceChildren();
    const path = pathTo(g, state.focus);
    path.forEach((node, i) => {
      if (i > 0) nav.append(el('span', ' › ', 'sep'));
      const b = el('button', nameOf(g, node));
      b.type = 'button';
      b.dataset.node = node;
      if (node === state.focus) b.setAttribute('aria-current', 'true');
      nav.append(b);
    });
  }

  function hiddenNote(g, notDrawn) {
    const parts = [];
    if (g.total[0] === 0) {
      $('hidden-note').textContent = 'No samples in this selection: nothing to draw.';
      return;
    }
    if (g.hidden > 0) {
      parts.push(int(g.hidden) + ' frames hidden: call paths with fewer than ' + int(g.threshold) + ' samples (' +
        pct(g.threshold / (g.total[0] || 1)) + ' of this graph), ' + int(g.hiddenSamples) + ' samples in all.');
    }
    if (notDrawn > 0) parts.push(int(notDrawn) + ' more frames narrower than 1 px not drawn at this zoom (click to zoom in).');
    $('hidden-note').textContent = parts.length ? parts.join(' ') : 'All call paths shown.';
  }

  // ---- zoom, orientation, layout, colour --------------------------------------------------------
  function zoom(node) {
    state.focus = node;
    render();
  }
  flame.addEventListener('click', (e) => {
    const f = e.target.closest('.frame');
    if (f) zoom(+f.dataset.node);
  });
  $('breadcrumb').addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (b) zoom(+b.dataset.node);
  });
  $('reset-zoom').addEventListener('click', () => zoom(0));
  function setOrientation(isFlame) {
    state.flame = isFlame;
    $('view-flame').setAttribute('aria-pressed', String(isFlame));
    $('view-icicle').setAttribute('aria-pressed', String(!isFlame));
    render();
  }
  $('view-flame').addEventListener('click', () => setOrientation(true));
  $('view-icicle').addEventListener('click', () => setOrientation(false));
  $('left-heavy').addEventListener('change', (e) => { state.leftHeavy = e.target.checked; render(); });
  const colourSelect = $('color-mode');
  const colourModes = isDiff
    ? [['change', 'by change'], ['state', 'running / waiting'], ['frame', 'by frame']]
    : [['state', 'running / waiting'], ['frame', 'by frame']];
  for (const [value, text] of colourModes) {
    const o = el('option', text);
    o.value = value;
    colourSelect.append(o);
  }
  colourSelect.value = state.color;
  colourSelect.addEventListener('change', () => { state.color = colourSelect.value; legend(); render(); });

  // ---- search --------------------------------------------------------------------------------------
  function runSearch() {
    const input = $('search');
    const text = input.value.trim();
    input.classList.remove('invalid');
    if (!text) {
      state.search = null;
      $('search-result').textContent = '';
      render();
      return;
    }
    let re;
    try {
      re = new RegExp(text, 'i');
    } catch {
      input.classList.add('invalid');
      re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    }
    const g = graph(state.graph);
    const matches = new Uint8Array(g.count);
    const under = new Uint8Array(g.count);
    let count = 0, samples = 0;
    const byName = new Map();
    for (let k = 1; k < g.count; k++) {
      let m = byName.get(g.name[k]);
      if (m === undefined) { m = re.test(names[g.name[k]]); byName.set(g.name[k], m); }
      const p = g.parent[k];
      under[k] = under[p] || matches[p];
      if (m) {
        matches[k] = 1;
        count++;
        if (!under[k]) samples += g.total[k];
      }
    }
    state.search = { matches, count, samples };
    $('search-result').textContent = count + ' matching frames · ' + pct(samples / (g.total[0] || 1)) + ' of samples';
    render();
  }
  let searchTimer = 0;
  $('search').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 120); });
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { clearTimeout(searchTimer); runSearch(); }
  });
  document.addEventListener('keydown', (e) => {
    const inField = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
    if (e.key === 'Escape') {
      if (inField && e.target.id === 'search') { e.target.value = ''; runSearch(); e.target.blur(); }
      else if (state.focus !== 0) zoom(0);
    } else if (e.key === '/' && !inField) {
      e.preventDefault();
      $('search').focus();
    }
  });

  // ---- tooltip ---------------------------------------------------------------------------------------
  function line(text, cls) { tooltip.append(el('div', text, cls)); }
  function fillTooltip(g, node) {
    tooltip.replaceChildren();
    tooltip.append(el('div', nameOf(g, node), 'name'));
    const all = g.total[0] || 1;
    const t = g.total[node];
    const [lo, hi] = wilson(t, all);
    line('Total: ' + int(t) + ' samples, ' + pct(t / all) + ' of this graph (' + LEVEL + ' interval ' + pct(lo) + ' – ' + pct(hi) + ')');
    const [slo, shi] = wilson(g.self[node], all);
    line('Self: ' + int(g.self[node]) + ' samples, ' + pct(g.self[node] / all) + ' (' + pct(slo) + ' – ' + pct(shi) + ')');
    if (state.focus !== 0 && node !== state.focus) line('Of the zoomed frame: ' + pct(t / (g.total[state.focus] || 1)));
    const aw = t - g.running[node] - g.waiting[node];
    line('Running ' + pct(g.running[node] / (t || 1)) + ' · waiting ' + pct(g.waiting[node] / (t || 1)) + ' · awaiting ' + pct(aw / (t || 1)));
    let shown = g.self[node];
    for (const c of g.children[node]) shown += g.total[c];
    if (t - shown > 0) line(int(t - shown) + ' samples in hidden call paths below');
    if (node === 0) return;
    const src = sources[g.name[node]];
    if (src) line('Source: ' + src[0] + ':line ' + src[1] + (byLine && byLine[g.name[node]] ? ' (first seen; click to zoom and see its lines)' : ''), 'source');
    const s = stats[g.name[node]];
    if (s) {
      const where = state.graph === 0 ? 'on all its call paths' : 'in all requests, on all its call paths';
      line('This frame ' + where + ': self ' + int(s[0]) + ' (' + pct(s[2]) + ' – ' + pct(s[3]) + '), total ' + int(s[1]) + ' (' + pct(s[4]) + ' – ' + pct(s[5]) + ')');
    }
    if (g.boundary[node] > 0) {
      line('Hot/cold boundary on this call path: ' + g.boundary[node].toFixed(2) + ' s, ' + pct(g.boundary[node] / (g.boundaryTotal || 1)) +
        ' of the time between consecutive dumps in this graph');
    }
    const spot = spotByName.get(g.name[node]);
    if (spot) {
      line('Optimization spot #' + spot.rank + ': ' + spot.seconds.toFixed(2) + ' s in ' + int(spot.requests) + ' requests, ' +
        pct(spot.share) + ' of boundary time (' + pct(spot.low) + ' – ' + pct(spot.high) + ')');
    }
    if (isDiff) {
      const c = changes[g.name[node]];
      if (c) {
        const verdict = c[0] === 1 ? 'grew significantly' : c[0] === 2 ? 'shrank significantly' : 'no significant change';
        line('Before → after: self ' + pct(c[1]) + ' → ' + pct(c[2]) + ', total ' + pct(c[3]) + ' → ' + pct(c[4]));
        line('Verdict: ' + verdict + ' (adjusted p ' + c[5].toPrecision(2) + ')', 'kind-' + c[0]);
      } else {
        line('Not seen before: new in the after profile.');
      }
    }
  }
  flame.addEventListener('mousemove', (e) => {
    const f = e.target.closest('.frame');
    if (!f) { tooltip.hidden = true; return; }
    fillTooltip(graph(state.graph), +f.dataset.node);
    tooltip.hidden = false;
    const pad = 14;
    let x = e.clientX + pad, y = e.clientY + pad;
    const r = tooltip.getBoundingClientRect();
    if (x + r.width > window.innerWidth) x = Math.max(0, e.clientX - r.width - pad);
    if (y + r.height > window.innerHeight) y = Math.max(0, e.clientY - r.height - pad);
    tooltip.style.left = x + 'px';
    tooltip.style.top = y + 'px';
  });
  flame.addEventListener('mouseleave', () => { tooltip.hidden = true; });

  // ---- graph selection (aggregate or one request) -----------------------------------------------------
  function selectGraph(i, request) {
    state.graph = i;
    state.focus = 0;
    const g = graph(i);
    $('graph-title').textContent = i === 0 ? g.label : 'Request: ' + g.label;
    $('show-all').hidden = i === 0;
    for (const tr of document.querySelectorAll('#requests tbody tr')) {
      tr.classList.toggle('selected', request !== undefined && tr.dataset.graph === String(i));
    }
    try {
      history.replaceState(null, '', i === 0 ? location.pathname + location.search : '#request=' + encodeURIComponent(request ? request.id : ''));
    } catch { /* file:// in some browsers: the hash is a convenience only */ }
    if (state.search) runSearch(); else render();
  }
  $('show-all').addEventListener('click', () => selectGraph(0));

  // ---- tables ---------------------------------------------------------------------------------------------
  function fillSpots() {
    const body = document.querySelector('#spots tbody');
    D.spots.slice(0, 50).forEach((s, i) => {
      const tr = el('tr');
      tr.append(el('td', i + 1, 'n'), el('td', names[s[0]], 'frame-name'), el('td', s[1].toFixed(2), 'n'), el('td', int(s[2]), 'n'),
        el('td', pct(s[3]) + ' (' + pct(s[4]) + ' – ' + pct(s[5]) + ')', 'n'));
      tr.title = 'Click to highlight this frame in the graph';
      tr.addEventListener('click', () => {
        $('search').value = '^' + names[s[0]].replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
        runSearch();
        $('graph-section').scrollIntoView({ block: 'start' });
      });
      body.append(tr);
    });
    $('spots-note').textContent = D.spotCount === 0
      ? 'No spot: no request had two consecutive dumps with a common frame.'
      : D.spotCount + ' spots in all' + (D.spotCount > 50 ? '; the top 50 listed.' : '.') + ' Click a row to find it in the graph.';
  }

  const requestKeys = {
    ms: (r) => r.ms, name: (r) => r.name, dumps: (r) => r.dumps, outcome: (r) => r.outcome,
    spot: (r) => (r.spot === undefined ? '' : names[r.spot]),
  };
  function fillRequests() {
    const body = document.querySelector('#requests tbody');
    const key = requestKeys[state.sortKey];
    const rows = D.requests.slice().sort((a, b) => {
      const x = key(a), y = key(b);
      const order = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      return state.sortAsc ? order : -order;
    });
    const fragment = document.createDocumentFragment();
    for (const r of rows) {
      const tr = el('tr');
      tr.dataset.graph = r.graph;
      tr.dataset.id = r.id;
      const name = el('td', r.name || r.id);
      name.title = (r.kind ? r.kind + ' ' : '') + 'request ' + r.id + ' (pid ' + r.pid + ')' + (r.start ? ', started ' + r.start : '');
      const outcome = r.outcome + (r.status !== undefined ? ' ' + r.status : '') + (r.error ? ' ' + r.error : '');
      const graphCell = el('td');
      if (r.graph >= 0) {
        const b = el('button', 'flame graph', 'open-graph');
        b.type = 'button';
        b.addEventListener('click', () => { selectGraph(r.graph, r); $('graph-section').scrollIntoView({ block: 'start' }); });
        graphCell.append(b);
      } else {
        graphCell.textContent = '—';
        graphCell.title = r.dumps === 0 ? 'No stack dump: it ended before the first one' : 'Only the slowest ' + D.requestGraphLimit + ' requests have a graph of their own';
      }
      tr.append(el('td', r.ms.toFixed(0), 'n'), name, el('td', int(r.dumps), 'n'), el('td', outcome),
        el('td', r.spot === undefined ? '' : names[r.spot], 'frame-name'), graphCell);
      if (state.graph !== 0 && r.graph === state.graph) tr.classList.add('selected');
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
    for (const th of document.querySelectorAll('#requests th[data-key]')) {
      th.setAttribute('aria-sort', th.dataset.key === state.sortKey ? (state.sortAsc ? 'ascending' : 'descending') : 'none');
    }
  }
  for (const th of document.querySelectorAll('#requests th[data-key]')) {
    th.addEventListener('click', () => {
      if (state.sortKey === th.dataset.key) state.sortAsc = !state.sortAsc;
      else { state.sortKey = th.dataset.key; state.sortAsc = th.dataset.key === 'name' || th.dataset.key === 'outcome' || th.dataset.key === 'spot'; }
      fillRequests();
    });
  }

  function fillChanges() {
    if (!isDiff) return;
    $('changes-section').hidden = false;
    const d = D.diff;
    const body = document.querySelector('#changes tbody');
    for (const i of d.changes) {
      const c = changes[i];
      if (!c) continue;
      const tr = el('tr');
      const verdict = c[0] === 1 ? 'grew' : c[0] === 2 ? 'shrank' : 'not significant';
      tr.append(el('td', names[i], 'frame-name'), el('td', verdict, 'kind-' + c[0]), el('td', pct(c[1]), 'n'), el('td', pct(c[2]), 'n'),
        el('td', pct(c[3]), 'n'), el('td', pct(c[4]), 'n'), el('td', c[5].toPrecision(2), 'n'));
      body.append(tr);
    }
    $('changes-note').textContent = d.regressions + ' frames grew and ' + d.improvements + ' shrank significantly (two-proportion z-tests, Benjamini–Hochberg at ' +
      d.alpha + ', changes under ' + pct(d.minimumChange) + ' ignored). The graph is the after profile; frames seen only before are listed here.';
  }

  // ---- header ---------------------------------------------------------------------------------------------
  function fillHeader() {
    $('title').textContent = D.title;
    const st = D.states;
    const parts = [];
    if (isDiff) {
      const d = D.diff;
      parts.push('Before: ' + int(d.beforeSamples) + ' samples of ' + int(d.beforeRequests) + ' requests; after: ' + int(d.afterSamples) + ' samples of ' + int(d.afterRequests) + ' requests.');
    } else {
      parts.push(int(D.samples) + ' samples of ' + int(D.requestCount) + ' slow requests.');
    }
    parts.push('Running ' + int(st[0]) + ', waiting ' + int(st[1]) + ', awaiting ' + int(st[2]) + '.');
    parts.push(int(D.distinctFrames) + ' distinct frames; ' + D.boundarySeconds.toFixed(2) + ' s between consecutive dumps.');
    if (D.selection.where) parts.push('Where: ' + D.selection.where + '.');
    if (D.selection.request) parts.push('Request: ' + D.selection.request + '.');
    if (D.skippedLines > 0) parts.push(int(D.skippedLines) + ' lines skipped.');
    $('summary').textContent = parts.join(' ');
    if (D.warnings.length) { $('warnings').hidden = false; $('warnings').textContent = D.warnings.join(' '); }
    const listed = D.requests.length, graphs = D.graphs.length - 1;
    $('requests-note').textContent = int(D.requestCount) + ' requests' +
      (listed < D.requestCount ? '; the slowest ' + int(listed) + ' listed' : '') +
      '; ' + int(graphs) + ' (the slowest with stack dumps) have a flame graph of their own: at most ' + int(D.requestGraphLimit) + ' are embedded' +
      (D.requestGraphBudgetSpent ? ', and here the ' + int(D.requestGraphNodeBudget) + ' call paths allowed for all request graphs together ran out first (to keep the file small)' : '') +
      '. Click a column to sort.';
    $('footer').textContent = 'StatProf · ' + (D.sources.length ? 'from ' + D.sources.join(', ') : '') ;
  }

  fillHeader();
  legend();
  fillSpots();
  fillRequests();
  fillChanges();
  let start = 0;
  const m = /^#request=(.*)$/.exec(location.hash);
  if (m) {
    const id = decodeURIComponent(m[1]);
    const r = D.requests.find((x) => x.id === id && x.graph >= 0);
    if (r) start = r.graph;
    selectGraph(start, r);
  } else {
    selectGraph(0);
  }
  let resizeTimer = 0;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(render, 100); });
  document.body.dataset.ready = 'true';
  window.statprofReport = { drawnFrames: () => drawnFrames };
})();
