// The dashboard's chart drawing, as browser JavaScript in a string (inlined into the page).
// Plain ES2019 with no dependencies: line charts on a canvas with a time axis, a value axis
// with round steps, a legend showing each line's last value, and a `data-points` attribute
// that says how many points the last draw used (the browser test reads it).
export const CHARTS_JS = `
var COLORS = ['#2f6fdf', '#d9822b', '#c22f2f', '#1a7f4b', '#8e44ad'];
var SPAN_MS = 10 * 60 * 1000;

function niceStep(range) {
  var raw = range / 4;
  var power = Math.pow(10, Math.floor(Math.log10(raw)));
  var steps = [1, 2, 2.5, 5, 10];
  for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
  return 10 * power;
}

function ago(ms) {
  var s = Math.round(ms / 1000);
  if (s < 60) return '-' + s + 's';
  var m = Math.floor(s / 60);
  return '-' + m + 'm' + (s % 60 ? ' ' + (s % 60) + 's' : '');
}

function drawChart(canvas, lines, options) {
  var dpr = window.devicePixelRatio || 1;
  var width = canvas.clientWidth || 380;
  var height = canvas.clientHeight || 170;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  var ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  var points = 0, tMax = -Infinity, tMin = Infinity, vMax = options.max || 0;
  lines.forEach(function (line) {
    line.data.forEach(function (p) {
      points++;
      if (p.t > tMax) tMax = p.t;
      if (p.t < tMin) tMin = p.t;
      if (!options.max && p.v > vMax) vMax = p.v;
    });
  });
  canvas.setAttribute('data-points', String(points));
  if (points === 0) {
    ctx.fillStyle = '#687385';
    ctx.fillText(options.empty || 'waiting for data\\u2026', 12, height / 2);
    return;
  }
  tMin = Math.max(tMin, tMax - SPAN_MS);
  var minSpan = options.minSpanMs || 60000;
  if (tMax - tMin < minSpan) tMin = tMax - minSpan;
  if (vMax <= 0) vMax = 1;
  var step = options.max ? options.max / 4 : niceStep(vMax * 1.1);
  var top = Math.ceil((vMax * (options.max ? 1 : 1.1)) / step) * step;
  var left = 52, right = 10, upper = 22, lower = 20;
  var plotW = width - left - right, plotH = height - upper - lower;
  var x = function (t) { return left + ((t - tMin) / (tMax - tMin)) * plotW; };
  var y = function (v) { return upper + plotH - (Math.min(v, top) / top) * plotH; };

  ctx.strokeStyle = '#e3e6eb';
  ctx.fillStyle = '#687385';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (var v = 0; v <= top + step / 2; v += step) {
    ctx.beginPath();
    ctx.moveTo(left, Math.round(y(v)) + 0.5);
    ctx.lineTo(width - right, Math.round(y(v)) + 0.5);
    ctx.stroke();
    ctx.fillText(options.format(v), left - 6, y(v));
  }
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(ago(tMax - tMin), left, height - lower + 5);
  ctx.textAlign = 'right';
  ctx.fillText('now', width - right, height - lower + 5);

  var legendX = left;
  lines.forEach(function (line, i) {
    var color = line.color || COLORS[i % COLORS.length];
    var data = line.data.filter(function (p) { return p.t >= tMin; });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.75;
    ctx.beginPath();
    data.forEach(function (p, j) {
      if (j === 0) ctx.moveTo(x(p.t), y(p.v)); else ctx.lineTo(x(p.t), y(p.v));
    });
    ctx.stroke();
    if (data.length > 0) {
      var last = data[data.length - 1];
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(x(last.t), y(last.v), 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
    var label = line.name + (data.length ? ' ' + options.format(data[data.length - 1].v) : '');
    ctx.fillStyle = color;
    ctx.fillRect(legendX, 6, 8, 8);
    ctx.fillStyle = '#1d2430';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(label, legendX + 12, 4);
    legendX += ctx.measureText(label).width + 26;
  });
}
`
