/**
 * The console's stylesheet. Status is never colour alone: every status also carries a word and a
 * shape (check, triangle, cross), so it reads the same to colour-blind engineers and in grey print.
 */
export const CONSOLE_CSS = `
:root{--bg:#0d1117;--panel:#161b22;--line:#30363d;--text:#e6edf3;--muted:#8b949e;
--green:#2ea043;--green-bg:#12261a;--yellow:#d29922;--yellow-bg:#2b2411;--red:#f85149;--red-bg:#35161a;
--grey:#6e7681;--grey-bg:#1c2128;--accent:#58a6ff;font-synthesis:none}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header.top{display:flex;align-items:center;gap:16px;padding:12px 24px;border-bottom:1px solid var(--line);background:#010409}
.brand{font-weight:700;font-size:17px;letter-spacing:.3px}.brand .sub{color:var(--muted);font-weight:400;margin-left:6px}
.brand .logo{color:var(--accent)}
.conn{margin-left:auto;padding:4px 12px;border-radius:999px;border:1px solid var(--line);font-size:13px;white-space:nowrap}
.conn::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:8px;background:var(--grey);vertical-align:1px}
.conn-live::before{background:var(--green)}.conn-live{color:#7ee2a8}
.conn-down::before{background:var(--red)}.conn-down{color:#ffa198}
.conn-auth::before{background:var(--yellow)}
main{padding:20px 24px;max-width:1600px;margin:0 auto;display:grid;gap:20px}
.btn{background:#238636;color:#fff;border:1px solid #2ea043;border-radius:6px;padding:6px 14px;font:inherit;font-weight:600;cursor:pointer}
.btn:hover{filter:brightness(1.1)}.btn:disabled{opacity:.5;cursor:default}
.btn-ghost{background:transparent;color:var(--text);border-color:var(--line)}
.btn-danger{background:#da3633;border-color:#f85149}
.btn-small{padding:2px 10px;font-size:12px}
.token-form{display:flex;flex-wrap:wrap;align-items:center;gap:10px;padding:12px 24px;background:var(--yellow-bg);border-bottom:1px solid var(--yellow)}
.token-form input{background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:6px 10px;font:inherit;min-width:280px}
.error{color:#ffa198}
.banner{display:grid;grid-template-columns:auto 1fr auto;align-items:center;gap:24px;padding:22px 28px;border-radius:10px;border:2px solid var(--grey);background:var(--grey-bg)}
.banner-icon{width:72px;height:72px;border-radius:50%;display:grid;place-items:center;font-size:40px;font-weight:800;background:var(--grey);color:#0d1117}
.banner-status{font-size:40px;font-weight:800;letter-spacing:2px;line-height:1.1}
.banner-detail{font-size:16px;color:var(--text);margin-top:4px}
.banner-meta{text-align:right;color:var(--muted);font-size:13px;white-space:pre-line}
.banner.st-green{border-color:var(--green);background:var(--green-bg)}.banner.st-green .banner-icon{background:var(--green)}
.banner.st-yellow{border-color:var(--yellow);background:var(--yellow-bg)}.banner.st-yellow .banner-icon{background:var(--yellow)}
.banner.st-red{border-color:var(--red);background:var(--red-bg)}.banner.st-red .banner-icon{background:var(--red)}
.banner.st-green .banner-status{color:#56d364}.banner.st-yellow .banner-status{color:#e3b341}.banner.st-red .banner-status{color:#ff7b72}
.banner.st-unknown{border-style:dashed}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 18px;min-width:0}
.panel h2{margin:0 0 12px;font-size:13px;text-transform:uppercase;letter-spacing:1px;color:var(--muted);font-weight:600}
.count{background:var(--grey-bg);border:1px solid var(--line);border-radius:999px;padding:0 8px;margin-left:6px;color:var(--text)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}
.tile{border:1px solid var(--line);border-left:6px solid var(--grey);border-radius:8px;padding:12px;background:#0d1117}
.tile.st-green{border-left-color:var(--green)}.tile.st-yellow{border-left-color:var(--yellow)}.tile.st-red{border-left-color:var(--red)}
.tile-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:4px 8px}
.tile-name{font-weight:700;font-size:14px;white-space:nowrap}
.badge{font-size:11px;border:1px solid var(--line);border-radius:4px;padding:0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.5px}
.pill{display:inline-block;font-weight:700;font-size:12px;border-radius:4px;padding:1px 8px;white-space:nowrap}
.pill.st-green{background:var(--green);color:#04260f}.pill.st-yellow{background:var(--yellow);color:#2b1d00}
.pill.st-red{background:var(--red);color:#2d0607}.pill.st-none,.pill.st-unknown{background:var(--grey);color:#0d1117}
.reasons{margin:8px 0 0;padding-left:18px;color:var(--muted);font-size:13px}.reasons li{margin:2px 0}
.ok-note{margin:8px 0 0;color:var(--muted);font-size:13px}
.cols{display:grid;grid-template-columns:minmax(300px,2fr) minmax(400px,3fr);gap:20px}
@media (max-width:1000px){.cols{grid-template-columns:1fr}.banner{grid-template-columns:auto 1fr}.banner-meta{grid-column:1/-1;text-align:left}}
.feed{list-style:none;margin:0;padding:0;max-height:360px;overflow:auto}
.feed li{display:grid;grid-template-columns:70px 1fr;gap:10px;padding:6px 0;border-bottom:1px solid #21262d;font-size:13px}
.feed li.empty{display:block}
.feed time{color:var(--muted);font-variant-numeric:tabular-nums}
.feed .what{min-width:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;font-size:13px}
th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid #21262d;padding:6px 8px;vertical-align:top;overflow-wrap:break-word}
.empty{color:var(--muted);font-style:italic;margin:4px 0}
.trading{display:flex;align-items:center;gap:16px}
.trading.halted{border-color:var(--red);background:var(--red-bg)}
.trading-state{font-size:16px;font-weight:700}
#resume-btn{margin-left:auto}
.muted{color:var(--muted)}
main.disconnected .tiles,main.disconnected table,main.disconnected .feed{opacity:.55}
.toast{position:fixed;right:20px;bottom:20px;max-width:420px;background:#30363d;border:1px solid var(--line);border-radius:8px;padding:10px 14px;box-shadow:0 8px 24px #0008}
dialog{background:var(--panel);color:var(--text);border:1px solid var(--line);border-radius:10px;padding:20px;width:min(480px,90vw)}
dialog::backdrop{background:#0009}
dialog h3{margin:0 0 8px}dialog textarea{width:100%;min-height:80px;background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:8px;font:inherit}
dialog menu{display:flex;justify-content:flex-end;gap:8px;padding:0;margin:12px 0 0}
.operator{display:flex;align-items:center;gap:8px;font-size:13px}
.operator-off{color:var(--muted)}.operator-on{color:#e3b341;font-weight:600}
.operator-on::before{content:"\u25CF ";color:var(--yellow)}
.readonly-note{margin:0;padding:6px 24px;background:var(--grey-bg);border-bottom:1px solid var(--line);color:var(--muted);font-size:13px}
.operate-form{background:#1c1a2b;border-bottom-color:var(--accent)}
td.actions{white-space:nowrap}td.actions .btn+.btn{margin-left:6px}
dialog label{display:block;margin:10px 0 4px}
dialog select{background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:4px 8px;font:inherit}
.matchers-edit .matcher{display:flex;align-items:center;gap:6px;margin:4px 0}
.matchers-edit .matcher label{display:inline;margin:0;min-width:90px;font-family:ui-monospace,monospace}
.matchers-edit input[type=text]{flex:1;background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:3px 8px;font:13px ui-monospace,monospace}
td.matchers{font-family:ui-monospace,monospace;font-size:12px}
.pics{display:grid;gap:4px;margin-top:10px}
.pic{margin:0}.pic svg{display:block;width:100%;background:#010409;border:1px solid #21262d;border-radius:3px}
.pic-health svg{height:10px}.pic-up svg{height:8px}.pic-lag svg{height:26px}
.pic figcaption{font-size:11px;color:var(--muted)}
.seg.st-green{fill:var(--green)}.seg.st-yellow{fill:var(--yellow)}.seg.st-red{fill:var(--red)}.seg.st-none,.seg.st-unknown{fill:var(--grey)}
.spark{fill:none;stroke:var(--accent);stroke-width:1.5;vector-effect:non-scaling-stroke}
.mark{stroke-dasharray:2 2;stroke-width:1;vector-effect:non-scaling-stroke}.mark-1{stroke:var(--yellow)}.mark-10{stroke:var(--red)}
`;
