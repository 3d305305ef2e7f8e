// The forecast page, improved where scripts run; the page works fully without this file.
// - the variance, movement, RAG, comparison differences and the area and service totals follow
//   the figures as they are typed (in whole pence, as BigInt: no float ever drifts a total);
// - Enter in a forecast moves to the next line's forecast instead of submitting the form;
// - the comparison columns can be hidden, and the choice is remembered in this browser;
// - a line's forecast history and actuals by account open in a dialog, read from their pages.
// Served from /static/: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var grid = document.getElementById("forecast-grid");
  if (!grid) {
    return;
  }

  // --- Money, as the server writes it (budgets/formatting.py) ---

  // `£1,234.56`, `(1,234.56)`, `-1234.5`, `1,234.56-` → pence as a BigInt, or null, as
  // budgets.importing.parse_money reads the same text.
  function parsePence(text) {
    var value = String(text).replace(/[\s\u00a0]/g, "");
    var negative = false;
    if (value.charAt(0) === "(" && value.charAt(value.length - 1) === ")") {
      negative = true;
      value = value.slice(1, -1);
    }
    if (value.charAt(value.length - 1) === "-") {
      negative = true;
      value = value.slice(0, -1);
    }
    if (value.charAt(0) === "-") {
      negative = !negative;
      value = value.slice(1);
    }
    value = value.replace(/£/g, "").replace(/,/g, "");
    var match = /^\+?(\d+)(?:\.(\d{1,2}))?$/.exec(value);
    if (!match || match[1].replace(/^0+/, "").length > 12) {
      return null;
    }
    var pence = BigInt(match[1]) * 100n + BigInt(((match[2] || "") + "00").slice(0, 2));
    return negative ? -pence : pence;
  }

  function fromData(text) {
    return text === "" || text === undefined ? null : BigInt(text);
  }

  function abs(value) {
    return value < 0n ? -value : value;
  }

  // Divide, rounding half away from zero (Decimal's ROUND_HALF_UP).
  function roundDiv(value, divisor) {
    var whole = (abs(value) * 2n + divisor) / (divisor * 2n);
    return value < 0n ? -whole : whole;
  }

  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // budgets.formatting.pounds: whole pounds, underspends in brackets: `(£1,234)`.
  function pounds(pence) {
    if (pence === null) {
      return "–";
    }
    var whole = roundDiv(pence, 100n);
    var text = "£" + grouped(abs(whole).toString());
    return whole < 0n ? "(" + text + ")" : text;
  }

  // budgets.formatting.pounds_millions: `£41.6m`, `(£0.4m)`.
  function poundsMillions(pence) {
    var tenths = roundDiv(pence, 10000000n);
    var digits = abs(tenths).toString().padStart(2, "0");
    var text = "£" + grouped(digits.slice(0, -1)) + "." + digits.slice(-1) + "m";
    return tenths < 0n ? "(" + text + ")" : text;
  }

  // budgets.metrics.rag, with settings.CSC_RAG_THRESHOLDS (decimal strings, in hundredths here).
  var thresholds = JSON.parse(
    (document.getElementById("forecast-rag-thresholds") || {}).textContent || "{}",
  );

  function hundredths(text) {
    var parts = String(text).split(".");
    return BigInt(parts[0]) * 100n + BigInt(((parts[1] || "") + "00").slice(0, 2));
  }

  // Whether variance / budget × 100 ≥ the percentage, without dividing (a zero budget counts
  // as 100%, as in metrics.rag).
  function atLeastPercent(variance, budget, percent) {
    if (budget === 0n) {
      return 10000n >= hundredths(percent);
    }
    var left = variance * 10000n;
    var right = hundredths(percent) * budget;
    return budget > 0n ? left >= right : left <= right;
  }

  function rag(variance, budget, level) {
    var limits = thresholds[level];
    if (!limits || variance <= 0n) {
      return "green";
    }
    if (atLeastPercent(variance, budget, limits.red_pct) || variance >= hundredths(limits.red_abs)) {
      return "red";
    }
    return atLeastPercent(variance, budget, limits.amber_pct) ? "amber" : "green";
  }

  // --- The grid ---

  var rows = Array.prototype.map.call(grid.querySelectorAll("tr[data-line]"), function (tr) {
    return {
      tr: tr,
      input: tr.querySelector("input[data-forecast]"),
      budget: BigInt(tr.getAttribute("data-budget")),
      previous: fromData(tr.getAttribute("data-previous")),
      saved: BigInt(tr.getAttribute("data-outturn")),
    };
  });

  function setCell(tr, selector, text) {
    var cell = tr.querySelector(selector);
    if (cell && cell.textContent !== text) {
      cell.textContent = text;
    }
  }

  function setRag(cell, status) {
    if (!cell) {
      return;
    }
    var tag = cell.querySelector(".csc-rag");
    var label = status ? status.charAt(0).toUpperCase() + status.slice(1) : "–";
    tag.className = "csc-rag" + (status ? " csc-rag--" + status : "");
    tag.textContent = label;
  }

  function showTotal(tr, sums) {
    var level = tr.getAttribute("data-total");
    if (sums.invalid) {
      setCell(tr, "[data-outturn]", "–");
      setCell(tr, "[data-variance]", "–");
      setCell(tr, "[data-movement]", "–");
      setRag(tr.querySelector("[data-rag]"), null);
      return;
    }
    var variance = sums.outturn - sums.budget;
    setCell(tr, "[data-outturn]", pounds(sums.outturn));
    setCell(tr, "[data-variance]", pounds(variance));
    setCell(tr, "[data-movement]", pounds(sums.outturn - sums.previous));
    setRag(tr.querySelector("[data-rag]"), rag(variance, sums.budget, level));
  }

  function emptySums() {
    return { budget: 0n, previous: 0n, outturn: 0n, invalid: false };
  }

  function add(sums, row, outturn) {
    sums.budget += row.budget;
    // A line with no forecast last period counts at its budget (metrics.GridTotal.add).
    sums.previous += row.previous === null ? row.budget : row.previous;
    if (outturn === null) {
      sums.invalid = true;
    } else {
      sums.outturn += outturn;
    }
  }

  var service = emptySums();

  function recalculate() {
    service = emptySums();
    grid.querySelectorAll("tbody[data-area]").forEach(function (body) {
      var area = emptySums();
      rows.forEach(function (row) {
        if (body !== row.tr.parentNode) {
          return;
        }
        var outturn = row.input ? parsePence(row.input.value) : row.saved;
        if (outturn === null) {
          setCell(row.tr, "[data-variance]", "–");
          setCell(row.tr, "[data-movement]", "–");
          setRag(row.tr.querySelector("[data-rag]"), null);
        } else {
          var variance = outturn - row.budget;
          setCell(row.tr, "[data-variance]", pounds(variance));
          setCell(
            row.tr,
            "[data-movement]",
            row.previous === null ? "–" : pounds(outturn - row.previous),
          );
          setRag(row.tr.querySelector("[data-rag]"), rag(variance, row.budget, "line"));
        }
        row.tr.querySelectorAll("[data-comparison]").forEach(function (cell) {
          var value = fromData(cell.getAttribute("data-comparison"));
          var text = value === null || outturn === null ? "–" : pounds(value - outturn);
          if (cell.textContent !== text) {
            cell.textContent = text;
          }
        });
        add(area, row, outturn);
        add(service, row, outturn);
      });
      var total = body.querySelector("tr[data-total]");
      if (total) {
        showTotal(total, area);
      }
    });
    var footer = grid.querySelector("tfoot tr[data-total]");
    if (footer) {
      showTotal(footer, service);
    }
    showHeadline(footer ? footer.getAttribute("data-total") : "service");
  }

  function showHeadline(level) {
    var headline = document.getElementById("forecast-headline");
    if (!headline) {
      return;
    }
    var part = function (name) {
      return headline.querySelector('[data-headline="' + name + '"]');
    };
    if (service.invalid) {
      part("outturn").textContent = "–";
      part("variance").textContent = "–";
      setRag(part("rag"), null);
      part("movement").textContent = "";
      return;
    }
    var variance = service.outturn - service.budget;
    var movement = service.outturn - service.previous;
    part("outturn").textContent = poundsMillions(service.outturn);
    part("variance").textContent = poundsMillions(variance);
    setRag(part("rag"), rag(variance, service.budget, level));
    part("movement").textContent =
      movement === 0n
        ? ""
        : ", " + (movement > 0n ? "up" : "down") + " " + pounds(movement) + " since last period";
  }

  var inputs = rows
    .map(function (row) {
      return row.input;
    })
    .filter(Boolean);
  var live = document.getElementById("forecast-live");

  inputs.forEach(function (input, index) {
    input.addEventListener("input", recalculate);
    input.addEventListener("change", function () {
      if (live) {
        var footer = grid.querySelector("tfoot tr[data-total]");
        live.textContent = service.invalid
          ? "One forecast is not an amount of money, so the totals are not shown."
          : footer.querySelector("th").textContent +
            ": forecast " +
            pounds(service.outturn) +
            ", variance " +
            pounds(service.outturn - service.budget) +
            ".";
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) {
        return;
      }
      event.preventDefault(); // Enter moves on, as in a spreadsheet; Save forecasts submits
      var next = inputs[index + 1] || document.getElementById("save-forecasts");
      if (next) {
        next.focus();
        if (next.select) {
          next.select();
        }
      }
    });
  });

  // --- Comparison columns, shown or hidden, remembered ---

  var toggle = document.getElementById("comparison-toggle");
  var checkbox = document.getElementById("show-comparisons");
  var STORAGE_KEY = "csc.forecast.comparisons";

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null; // storage refused (private mode, policy): columns stay shown
    }
  }

  function showComparisons(shown) {
    grid.classList.toggle("csc-forecast-table--no-comparisons", !shown);
  }

  if (toggle && checkbox) {
    toggle.hidden = false;
    checkbox.checked = remembered() !== "hidden";
    showComparisons(checkbox.checked);
    checkbox.addEventListener("change", function () {
      showComparisons(checkbox.checked);
      try {
        window.localStorage.setItem(STORAGE_KEY, checkbox.checked ? "shown" : "hidden");
      } catch (error) {
        // Not remembered; the choice still applies to this page.
      }
    });
  }

  // --- A line's history and actuals by account, in place ---

  var dialog = document.getElementById("line-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    var title = document.getElementById("line-dialog-title");
    var body = document.getElementById("line-dialog-body");
    var opener = null;

    document.getElementById("line-dialog-close").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (opener) {
        opener.focus();
      }
    });

    grid.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-line-dialog]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
        return;
      }
      event.preventDefault();
      opener = link;
      title.textContent = link.getAttribute("data-line-dialog");
      body.replaceChildren();
      var status = document.createElement("p");
      status.className = "govuk-body";
      status.textContent = "Loading…";
      body.appendChild(status);
      dialog.showModal();
      fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var tables = page.querySelectorAll("#main-content table");
          body.replaceChildren();
          tables.forEach(function (table) {
            var holder = document.createElement("div");
            holder.className = "csc-dialog__table";
            // It may scroll sideways, so it can take focus, with the table's caption as name.
            holder.setAttribute("role", "region");
            holder.setAttribute("tabindex", "0");
            var caption = table.querySelector("caption");
            holder.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
            holder.appendChild(document.importNode(table, true));
            body.appendChild(holder);
          });
          var more = document.createElement("p");
          more.className = "govuk-body";
          var full = document.createElement("a");
          full.className = "govuk-link";
          full.href = link.href;
          full.textContent = "Open this as a page";
          more.appendChild(full);
          body.appendChild(more);
        })
        .catch(function () {
          status.textContent = "This could not be loaded. Follow the link instead: ";
          var fallback = document.createElement("a");
          fallback.className = "govuk-link";
          fallback.href = link.href;
          fallback.textContent = link.getAttribute("data-line-dialog");
          status.appendChild(fallback);
        });
    });
  }

  recalculate();
})();
