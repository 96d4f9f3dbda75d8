/// The console's stylesheet and script, served by the console itself (`/assets/...`): shop
/// networks often reach no CDN. Small and hand-written; the script only adds conveniences (a
/// confirmation before a destructive form, Enter in a scan field), every page works without it.
enum ConsoleAssets {
    static let css = """
    :root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #c81e1e; --ok: #1f7a4d; --warn: #b44d12; --bg: #f5f7fa; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.5 "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", system-ui, sans-serif; color: var(--ink); background: var(--bg); }
    header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; color: var(--accent); text-decoration: none; }
    nav a { margin-right: 1rem; color: var(--ink); text-decoration: none; padding: .2rem 0; }
    nav a.active { border-bottom: 2px solid var(--accent); }
    .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; color: var(--muted); }
    main { max-width: 1100px; margin: 1.2rem auto; padding: 0 1rem; }
    h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
    h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
    .narrow { max-width: 380px; }
    label { display: block; margin-bottom: .7rem; color: var(--muted); }
    input, select, textarea { display: block; width: 100%; padding: .45rem .5rem; font: inherit; border: 1px solid var(--line); border-radius: 4px; color: var(--ink); }
    textarea { min-height: 5rem; }
    .search { display: grid; grid-template-columns: 2fr 1fr auto; gap: 1rem; align-items: end; }
    .search label { margin: 0; }
    button { padding: .45rem 1rem; font: inherit; border: 0; border-radius: 4px; background: var(--ink); color: #fff; cursor: pointer; }
    button.danger { background: var(--accent); }
    form.inline { display: inline; }
    form.po-line { display: flex; align-items: center; gap: .4em; margin: .15em 0; white-space: nowrap; }
    form.po-line input.po-quantity { width: 5em; margin: 0; }
    .who button { background: transparent; color: var(--muted); border: 1px solid var(--line); padding: .2rem .6rem; }
    table.list { width: 100%; border-collapse: collapse; }
    table.list th, table.list td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    table.list th { color: var(--muted); font-weight: 500; }
    .money { text-align: right; font-variant-numeric: tabular-nums; }
    tr.overdue td { background: #fff4e5; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; margin: 0; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; }
    .tag { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: var(--line); font-size: .85em; }
    .tag.ok { background: #d5f2e3; color: var(--ok); }
    .tag.warn { background: #ffe8d1; color: var(--warn); }
    .status { font-weight: 600; }
    .timeline { padding-left: 1.2rem; margin: 0; }
    .timeline time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .4rem; }
    .detail { color: var(--muted); }
    .notice { background: #e3f8ec; border: 1px solid #b7e4c7; padding: .6rem .9rem; border-radius: 4px; }
    .problem { background: #fde8e8; border: 1px solid #f5c2c2; padding: .6rem .9rem; border-radius: 4px; }
    .field-error { display: block; color: var(--accent); margin: -.4rem 0 .7rem; font-size: .9em; }
    .empty { color: var(--muted); }
    .tiles { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
    .tiles a { display: block; padding: 1.2rem 2rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; text-decoration: none; color: var(--ink); }
    .actions { display: flex; gap: 2rem; }
    .actions form { flex: 1; }
    footer { text-align: center; color: var(--muted); font-size: .85em; padding: 1rem; }
    code { background: #fff; border: 1px solid var(--line); padding: .1rem .4rem; border-radius: 3px; }
    tr.current td { background: #fff8c5; font-weight: 600; }
    button:disabled { background: var(--line); color: var(--muted); cursor: not-allowed; }
    .label { background: #fff; border: 2px solid #000; width: 100mm; padding: 4mm; margin: 0 auto 1rem; color: #000; }
    .label-head { display: flex; justify-content: space-between; font-size: 1.2rem; border-bottom: 1px solid #000; margin-bottom: 2mm; }
    .label img { display: block; margin: 2mm auto; max-width: 100%; }
    .label-tracking { text-align: center; font: 600 1.1rem monospace; letter-spacing: .1em; }
    .label-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; border-top: 1px solid #000; margin-top: 2mm; }
    .label-grid p { margin: 0; }
    @media print { header.top, footer, form, .no-print, h1 { display: none; } body { background: #fff; } main { margin: 0; } .card { border: 0; } }
    """

    static let javascript = """
    'use strict';
    // A destructive form asks first (its data-confirm text); a page works without this script.
    document.addEventListener('submit', function (event) {
      var question = event.target.getAttribute('data-confirm');
      if (question && !window.confirm(question)) { event.preventDefault(); }
    });
    // The waybill page's print link.
    document.addEventListener('click', function (event) {
      if (event.target.getAttribute && event.target.getAttribute('data-print')) { event.preventDefault(); window.print(); }
    });
    """
}
