/* seatdash: the little the pages need beyond htmx. Every page works without it; nothing here sets an
   inline style (the CSP forbids them). */
(function () {
  "use strict";

  var WHOLE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var WHOLE_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
  var NARROW = window.matchMedia("(max-width: 640px)");

  function isWholeDate(text) {
    var parts = WHOLE_DATE.exec(text);
    if (!parts) return WHOLE_DATETIME.test(text) && isWholeDate(text.slice(0, 10));
    var year = +parts[1], month = +parts[2], day = +parts[3];
    var probe = new Date(Date.UTC(year, month - 1, day));
    return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  }

  /* Dates: a half-typed date sends no request. While typing, the form hears an `input` only when the
     field is empty or holds a whole date; leaving the field (`change`) always lets the server judge
     it, so an unusable date gets its message beside the field and stays as typed. */
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("input[data-iso-date]")) return;
    var text = field.value.trim();
    if (text !== "" && !isWholeDate(text)) event.stopPropagation();
  }, true);

  /* Empty fields stay out of the URL. The server would otherwise answer with the clean URL in
     HX-Push-Url, which outranks hx-replace-url: typing would add a history entry per pause. */
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") return;
    var empty = [];
    data.forEach(function (value, key) {
      if (empty.indexOf(key) < 0 && data.getAll(key).every(function (v) { return v === ""; })) empty.push(key);
    });
    empty.forEach(function (key) { data.delete(key); });

    /* Leaving a field fires `change` after its `input` already asked for the same thing: ask once.
       Apply always goes (it is how one asks again on purpose). */
    var elt = event.detail.elt;
    var query = sortedQuery(new URLSearchParams(data));
    if (elt.hasAttribute("data-apply") && elt.form) { elt.form.seatdashLastQuery = query; return; }
    if (elt.tagName !== "FORM") return;
    var form = elt;
    if (query === form.seatdashLastQuery || query === sortedQuery(new URLSearchParams(location.search))) {
      event.preventDefault();
      return;
    }
    form.seatdashLastQuery = query;
  });

  function sortedQuery(params) {
    var pairs = [];
    params.forEach(function (value, key) { if (key !== "refresh") pairs.push([key, value]); });
    pairs.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
    return new URLSearchParams(pairs).toString();
  }

  /* A native calendar beside each date field, writing ISO into the text field, never replacing it. */
  function addPicker(field) {
    if (field.dataset.pickerReady) return;
    field.dataset.pickerReady = "1";
    var native = document.createElement("input");
    native.type = "date";
    if (native.type !== "date" || typeof native.showPicker !== "function") return;
    native.className = "date-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-pick";
    // Named by the parameter, not the label, so "Changed from" still names only the text field.
    button.setAttribute("aria-label", "Pick date: " + field.name);
    button.addEventListener("click", function () {
      native.value = isWholeDate(field.value.trim()) ? field.value.trim().slice(0, 10) : "";
      try { native.showPicker(); } catch (error) { native.focus(); }
    });
    native.addEventListener("change", function () {
      if (!native.value) return;
      field.value = native.value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    var holder = document.createElement("span");
    holder.className = "date-input";
    field.parentNode.insertBefore(holder, field);
    holder.appendChild(field);
    holder.appendChild(button);
    holder.appendChild(native);
  }

  /* Quick ranges are server-built links (they work without JavaScript). With it, they fill the date
     fields and apply the form like the Apply button, so the other filters typed so far are kept. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-range-from]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var form = link.closest("form");
    var apply = form && form.querySelector("[data-apply]");
    if (!apply || !window.htmx) return;
    event.preventDefault();
    form.elements["from"].value = link.dataset.rangeFrom;
    form.elements["to"].value = link.dataset.rangeTo;
    form.querySelectorAll("a[data-range-from]").forEach(function (other) {
      if (other === link) other.setAttribute("aria-current", "true");
      else other.removeAttribute("aria-current");
    });
    apply.click();
  });

  /* Filters fold behind "Filters" on a phone; on a wide screen they are always open. */
  function fitFolds() {
    document.querySelectorAll("details.filters-fold").forEach(function (fold) {
      if (!NARROW.matches) fold.open = true;
      else if (!fold.dataset.fitted && !fold.querySelector(".has-error")) fold.open = false;
      fold.dataset.fitted = "1";
    });
  }
  if (NARROW.addEventListener) NARROW.addEventListener("change", fitFolds);

  /* `/` focuses Search, unless one is typing somewhere already. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var where = event.target;
    if (where.closest && where.closest("input, textarea, select, [contenteditable]")) return;
    var search = document.querySelector("input[type=search]");
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  /* Sorting replaces the table: put focus back on the header that was used (same column). */
  var sortedColumn = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.target;
    sortedColumn = link.classList && link.classList.contains("sort-link") && document.activeElement === link
      ? link.closest("th").cellIndex : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (sortedColumn === null) return;
    var header = document.querySelectorAll("table.data thead tr:first-child th")[sortedColumn];
    var link = header && header.querySelector(".sort-link");
    sortedColumn = null;
    if (link) link.focus();
  });

  /* Back from a customer restores the list where it was, inside the table's own scroll box too. The
     positions live in this history entry's state (never sessionStorage: nothing to leak). */
  function scrollBox() { return document.querySelector(".table-wrap"); }
  function rememberScroll() {
    var box = scrollBox();
    var state = Object.assign({}, history.state || {});
    state.seatdashScroll = {
      path: location.pathname + location.search,
      x: window.scrollX, y: window.scrollY,
      boxX: box ? box.scrollLeft : 0, boxY: box ? box.scrollTop : 0,
    };
    try { history.replaceState(state, ""); } catch (error) { /* rate-limited: keep the last one */ }
  }
  function restoreScroll() {
    var saved = history.state && history.state.seatdashScroll;
    if (!saved || saved.path !== location.pathname + location.search) return;
    var box = scrollBox();
    if (box) { box.scrollLeft = saved.boxX; box.scrollTop = saved.boxY; }
    window.scrollTo(saved.x, saved.y);
  }
  var scrollTimer = null;
  document.addEventListener("scroll", function () {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(rememberScroll, 150);
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a[href]")) rememberScroll();
  }, true);
  window.addEventListener("pagehide", rememberScroll);

  function ready() {
    document.querySelectorAll("input[data-iso-date]").forEach(addPicker);
    fitFolds();
    restoreScroll();
  }
  document.addEventListener("htmx:load", function (event) {
    event.target.querySelectorAll && event.target.querySelectorAll("input[data-iso-date]").forEach(addPicker);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
