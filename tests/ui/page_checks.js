// Checks run inside each inventory page (tests/ui/test_inventory.py). One expression: an
// object of functions, evaluated once per page.
({
  describe(el) {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.classList.length) s += "." + [...el.classList].slice(0, 2).join(".");
    return s;
  },

  visible(el) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== "hidden" && cs.display !== "none" && Number(cs.opacity) > 0.05;
  },

  // No horizontal scrolling; names the elements that stick out.
  overflow() {
    const width = window.innerWidth;
    const offenders = [];
    if (document.documentElement.scrollWidth > width) {
      for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0 && this.visible(el)) {
          // the outermost offender only
          if (!offenders.some((o) => o.el.contains(el))) offenders.push({ el, right: Math.round(r.right) });
        }
        if (offenders.length > 5) break;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
             offenders: offenders.map((o) => this.describe(o.el) + " → " + o.right + "px") };
  },

  rgba(value) {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  },

  luminance(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  },

  // The colour behind an element: its own and its ancestors' backgrounds, composed.
  background(el) {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = this.rgba(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let out = { r: 255, g: 255, b: 255 };
    for (const c of layers.reverse()) {
      out = { r: c.r * c.a + out.r * (1 - c.a), g: c.g * c.a + out.g * (1 - c.a), b: c.b * c.a + out.b * (1 - c.a) };
    }
    return out;
  },

  // Computed contrast of every visible control's text (or icon) against what is behind it.
  // axe leaves some of these "incomplete"; this does not.
  contrast() {
    const bad = [];
    const controls = document.querySelectorAll(
      "button, a[href], summary, label, select, input[type=submit], input[type=button], [role=button], .button");
    for (const el of controls) {
      if (!this.visible(el)) continue;
      if (el.closest("video, [aria-hidden=true]")) continue;
      const cs = getComputedStyle(el);
      const fg = this.rgba(cs.color);
      if (!fg) continue;
      const bg = this.background(el);
      const lf = this.luminance(fg), lb = this.luminance(bg);
      const ratio = (Math.max(lf, lb) + 0.05) / (Math.min(lf, lb) + 0.05);
      const hasText = (el.innerText || "").trim().length > 0;
      const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.6 && Number(cs.fontWeight) >= 700);
      const needed = !hasText ? 3 : large ? 3 : 4.5;
      if (ratio < needed) bad.push(this.describe(el) + " '" + (el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 30) + "' " + ratio.toFixed(2) + ":1");
    }
    return bad;
  },

  // Controls drawn with emoji or symbol characters show an empty box where no emoji font is
  // installed: icons must be inline SVG. (Reactions are what people chose: exempt.)
  glyphs() {
    const symbol = /[\u2300-\u23FF\u2600-\u27BF\u{1F300}-\u{1FAFF}]/u; // not arrows: in every font
    const bad = [];
    for (const el of document.querySelectorAll("button, a[href], summary, label, [role=button]")) {
      if (!this.visible(el) || el.closest(".chat-reactions")) continue;
      if (symbol.test(el.innerText || "")) bad.push(this.describe(el) + " '" + el.innerText.trim().slice(0, 20) + "'");
    }
    return bad;
  },

  // Text a reader sees or hears: visible text nodes and the names of controls.
  texts() {
    const out = [];
    // Wagtail's editor quotes the page's own content, cut mid-word (the minimap's headings,
    // a collapsed block's summary): user content, like [data-user-content].
    const skip = "script, style, noscript, template, code, pre, [translate=no], [data-user-content], [lang]:not([lang=km]):not(html), .w-minimap-item__text, .c-sf-block__title";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.nodeValue.trim();
      if (!t) continue;
      const p = n.parentElement;
      if (!p || p.closest(skip) || !this.visible(p)) continue;
      out.push({ where: this.describe(p), text: t });
    }
    for (const el of document.querySelectorAll("[placeholder], [aria-label], [title], img[alt]")) {
      if (el.closest(skip)) continue;
      for (const a of ["placeholder", "aria-label", "title", "alt"]) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push({ where: this.describe(el) + "@" + a, text: v.trim() });
      }
    }
    out.push({ where: "title", text: document.title });
    return out;
  },
})
