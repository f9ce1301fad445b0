/* Vigie — charts from the data the server put on each <canvas data-chart="…">; no inline script. */
(function () {
  'use strict';
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
  if (typeof window.Chart !== 'function') return;
  // Grade bands come from the scoring policy in force (the server puts them in the chart's data).
  var COLOURS = { A: 'rgba(29,107,47,0.12)', B: 'rgba(29,107,47,0.06)', C: 'rgba(240,180,0,0.08)', D: 'rgba(138,83,0,0.08)', E: 'rgba(166,27,27,0.08)' };
  var bands = {
    id: 'gradeBands',
    beforeDraw: function (chart) {
      var list = chart.config.options.plugins.gradeBands;
      if (!list) return;
      var y = chart.scales.y, area = chart.chartArea, ctx = chart.ctx;
      list.forEach(function (b) {
        var top = y.getPixelForValue(b.to), bottom = y.getPixelForValue(b.from);
        ctx.save();
        ctx.fillStyle = COLOURS[b.grade] || 'rgba(0,0,0,0.04)';
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        ctx.restore();
      });
    },
  };
  window.Chart.register(bands);
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute('data-chart'));
    if (!spec.labels) return;
    var options = { locale: document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR', responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false }, gradeBands: spec.kind === 'score' ? spec.bands : null } };
    if (spec.kind === 'paydex') options.scales = { y: { min: 0, max: 100, title: { display: true, text: spec.label } } };
    if (spec.kind === 'score') {
      options.scales = { y: { min: 0, max: 100, title: { display: true, text: spec.label } } };
      options.plugins.tooltip = { callbacks: { afterLabel: function (item) { return spec.notes[item.dataIndex] || ''; } } };
    }
    var PALETTE = ['#0b4f8a', '#a61b1b', '#1d6b2f', '#8a5300'];
    var datasets = spec.datasets
      ? spec.datasets.map(function (d, i) { return { label: d.label, data: d.values, borderColor: PALETTE[i % 4], backgroundColor: PALETTE[i % 4], tension: 0.2 }; })
      : [{ label: spec.label, data: spec.values, borderColor: '#0b4f8a', backgroundColor: spec.kind === 'aging' ? ['#1d6b2f', '#8a5300', '#b36b00', '#a61b1b', '#6e0f0f'] : '#0b4f8a', tension: 0.2 }];
    options.plugins.legend.display = datasets.length > 1;
    var chart = new window.Chart(canvas, {
      type: spec.kind === 'aging' ? 'bar' : 'line',
      data: { labels: spec.labels, datasets: datasets },
      options: options,
    });
    canvas.setAttribute('data-rendered', String(chart.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0)));
  });
})();
