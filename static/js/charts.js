// Draw the server-built Plotly figures. Each chart's figure arrives as a JSON data block
// (<script type="application/json">), because the Content-Security-Policy allows no inline
// script; this file and plotly.min.js are served from our own /static/, never a CDN.
(function () {
  "use strict";
  if (!window.Plotly) {
    return; // The tables beneath each chart carry the same numbers.
  }
  document.querySelectorAll("[data-figure]").forEach(function (target) {
    var source = document.getElementById(target.getAttribute("data-figure"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    // No mode bar: its buttons would be focusable inside an element that is an image to
    // assistive technology; the summary and table give the numbers instead.
    window.Plotly.newPlot(target, figure.data, figure.layout, {
      responsive: true,
      displayModeBar: false,
      displaylogo: false,
    });
  });
})();
