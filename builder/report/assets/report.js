// bitext-builder report: filter, search, sort and page the tables of index.html.
// Text from the dataset is only ever set with textContent, never parsed as HTML.
"use strict";

(function () {
  const PAGE = 50;
  const NONE = "(none)";
  const ALL = "";
  const data = JSON.parse(document.getElementById("report-data").textContent);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Python counts characters by code point; JavaScript strings by UTF-16 unit.
  function sliceCodePoints(text, start, end) {
    return Array.from(text).slice(start, end).join("");
  }

  function scoreText(v) {
    return v === null || v === undefined ? "–" : v.toFixed(4);
  }

  function tags(values) {
    const span = el("span", "tags");
    if (!values.length) span.appendChild(el("span", "tag none", "none"));
    for (const v of values) span.appendChild(el("span", "tag flag-" + v.replace(/[^a-z0-9_]/gi, ""), v));
    return span;
  }

  // Per kind: the columns, the values the filter offers for a row, the text searched.
  const KINDS = {
    segments: {
      columns: ["id", "split", "lang", "lang_score", "text"],
      facet: (r) => [r.lang || NONE],
      search: (r) => [r.id, r.text],
      cells: (r) => [r.id, r.split, r.lang, scoreText(r.score), r.text],
      sorts: ["score ascending", "score descending", "id"],
    },
    pairs: {
      columns: ["id", "split", "mt_score", "qa_flags", "source", "translation"],
      facet: (r) => (r.flags.length ? r.flags : [NONE]),
      search: (r) => [r.id, r.src, r.tgt],
      cells: (r) => [r.id, r.split, scoreText(r.score), tags(r.flags), r.src, r.tgt],
      sorts: ["score ascending", "score descending", "id"],
    },
    beads: {
      columns: ["id", "split", "bead", "align_score", "source", "target", "posts"],
      facet: (r) => [r.bead],
      search: (r) => [r.id, r.src, r.tgt, r.tgt_post],
      cells: (r) => [r.id, r.split, r.bead, scoreText(r.score), r.src, r.tgt, null],
      sorts: ["score ascending", "score descending", "id"],
    },
    rejects: {
      columns: ["stage", "reason", "id", "text"],
      facet: (r) => [r.reason],
      search: (r) => [r.id, r.text],
      cells: (r) => [r.stage, r.reason, r.id, r.text],
      sorts: ["file order", "id"],
    },
  };

  function compare(sort) {
    const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const score = (r) => (r.score === null || r.score === undefined ? -Infinity : r.score);
    if (sort === "score ascending") return (a, b) => score(a) - score(b) || byId(a, b);
    if (sort === "score descending") return (a, b) => score(b) - score(a) || byId(a, b);
    if (sort === "id") return byId;
    return null;
  }

  function sourcePost(context, row) {
    const text = context.posts[row.post];
    const box = el("div", "post");
    box.appendChild(el("div", "post-title", "source post " + row.post));
    if (text === undefined) {
      box.appendChild(el("p", "missing", "(post not in the posts config)"));
      return box;
    }
    const body = el("p", "post-text");
    const [start, end] = row.span;
    body.appendChild(document.createTextNode(sliceCodePoints(text, 0, start)));
    body.appendChild(el("mark", null, sliceCodePoints(text, start, end)));
    body.appendChild(document.createTextNode(sliceCodePoints(text, end)));
    box.appendChild(body);
    return box;
  }

  function targetPost(context, row) {
    const sentences = context.targets[row.tgt_post] || [];
    const box = el("div", "post");
    box.appendChild(el("div", "post-title", "target post " + row.tgt_post));
    const body = el("p", "post-text");
    const mine = new Set(row.tgt_idx);
    for (const [, text, indices] of sentences) {
      let node;
      if (!indices.length) node = el("span", "unaligned", text);
      else if (indices.some((i) => mine.has(i))) node = el("mark", null, text);
      else node = el("span", null, text);
      if (!indices.length) node.title = "not aligned";
      body.appendChild(node);
      body.appendChild(document.createTextNode(" "));
    }
    box.appendChild(body);
    return box;
  }

  function setup(section) {
    const key = section.dataset.table;
    const table = data[key];
    const kind = KINDS[table.kind];
    const facet = section.querySelector("select.facet");
    const search = section.querySelector("input.search");
    const sort = section.querySelector("select.sort");
    const status = section.querySelector(".status");
    const prev = section.querySelector("button.prev");
    const next = section.querySelector("button.next");
    const head = section.querySelector("thead");
    const body = section.querySelector("tbody");
    const rows = table.rows;
    const searchText = rows.map((r) => kind.search(r).join("\n").toLowerCase());
    let page = 0;

    const counts = new Map();
    for (const r of rows) for (const v of kind.facet(r)) counts.set(v, (counts.get(v) || 0) + 1);
    facet.appendChild(new Option("all (" + rows.length + ")", ALL));
    for (const v of Array.from(counts.keys()).sort()) {
      facet.appendChild(new Option(v + " (" + counts.get(v) + ")", v));
    }
    for (const s of kind.sorts) sort.appendChild(new Option(s, s));

    const headRow = el("tr");
    for (const c of kind.columns) headRow.appendChild(el("th", null, c));
    head.appendChild(headRow);

    function matching() {
      const want = facet.value;
      const needle = search.value.trim().toLowerCase();
      const found = [];
      rows.forEach((r, i) => {
        if (want !== ALL && !kind.facet(r).includes(want)) return;
        if (needle && !searchText[i].includes(needle)) return;
        found.push(r);
      });
      const order = compare(sort.value);
      if (order) found.sort(order);
      return found;
    }

    function render() {
      const found = matching();
      const pages = Math.max(1, Math.ceil(found.length / PAGE));
      page = Math.min(page, pages - 1);
      const shown = found.slice(page * PAGE, page * PAGE + PAGE);
      body.replaceChildren();
      for (const r of shown) {
        const tr = el("tr", "row");
        tr.dataset.id = r.id;
        kind.cells(r).forEach((cell, c) => {
          const td = el("td", "c-" + kind.columns[c]);
          if (cell instanceof Node) td.appendChild(cell);
          else if (cell === null) td.appendChild(postsButton(r, tr));
          else td.textContent = cell;
          tr.appendChild(td);
        });
        body.appendChild(tr);
      }
      section.dataset.count = String(found.length);
      const first = found.length ? page * PAGE + 1 : 0;
      status.textContent = "rows " + first + "–" + (page * PAGE + shown.length) + " of " +
        found.length + (found.length !== rows.length ? " matching (of " + rows.length + ")" : "");
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }

    function postsButton(r, tr) {
      const button = el("button", "show-posts", "show");
      button.type = "button";
      button.addEventListener("click", () => {
        const open = tr.nextSibling && tr.nextSibling.classList.contains("context");
        if (open) {
          tr.nextSibling.remove();
          button.textContent = "show";
          return;
        }
        const ctx = el("tr", "context");
        const td = el("td");
        td.colSpan = kind.columns.length;
        const pair = el("div", "posts");
        pair.appendChild(sourcePost(table.context, r));
        pair.appendChild(targetPost(table.context, r));
        td.appendChild(pair);
        ctx.appendChild(td);
        tr.after(ctx);
        button.textContent = "hide";
      });
      return button;
    }

    facet.addEventListener("change", () => { page = 0; render(); });
    sort.addEventListener("change", () => { page = 0; render(); });
    search.addEventListener("input", () => { page = 0; render(); });
    prev.addEventListener("click", () => { page -= 1; render(); });
    next.addEventListener("click", () => { page += 1; render(); });
    render();
  }

  for (const fill of document.querySelectorAll(".funnel .fill")) {
    fill.style.width = Math.max(0, Math.min(100, Number(fill.dataset.pct))) + "%";
  }
  for (const section of document.querySelectorAll("section[data-table]")) setup(section);
})();
