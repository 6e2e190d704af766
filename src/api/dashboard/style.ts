// The dashboard's stylesheet, inlined into the page (no CDN, no build step for the host).
export const DASHBOARD_CSS = `
:root {
  --bg: #f5f6f8; --card: #ffffff; --ink: #1d2430; --muted: #687385; --line: #e3e6eb;
  --ok: #1a7f4b; --warn: #b26a00; --crit: #c22f2f; --accent: #2f6fdf;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
header { display: flex; align-items: center; gap: 16px; padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
header .spacer { flex: 1; }
.pill { padding: 3px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--line); color: var(--muted); }
.pill.healthy, .pill.live { background: #e3f4ea; color: var(--ok); }
.pill.degraded { background: #fff1dc; color: var(--warn); }
.pill.unhealthy, .pill.error { background: #fbe5e5; color: var(--crit); }
#updated { color: var(--muted); font-size: 12px; }
main { padding: 20px 24px 40px; display: grid; gap: 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 24px; font-weight: 600; margin-top: 4px; font-variant-numeric: tabular-nums; }
.tile .value.bad { color: var(--crit); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
.card h2 { font-size: 13px; margin: 0 0 8px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
canvas { display: block; width: 100%; height: 170px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; font-variant-numeric: tabular-nums; }
td.num { text-align: right; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.sev.critical { color: var(--crit); }
.sev.warning { color: var(--warn); }
.empty { color: var(--muted); padding: 10px 8px; }
button.ack { font: inherit; font-size: 12px; padding: 3px 10px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.ack:disabled { opacity: .6; cursor: default; }
.acked { color: var(--muted); font-size: 12px; }
#message { color: var(--crit); font-size: 12px; min-height: 16px; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
`
