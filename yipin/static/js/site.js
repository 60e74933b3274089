// Yipin site script: CSRF header for fetch() and the cascading region picker.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  /* A cached page seen without a session carries no form token: ask for one (which starts
     the session) before the first form or API call is sent, and fill it in everywhere. */
  function ensureToken() {
    if (!meta || meta.content) { return Promise.resolve(meta ? meta.content : ""); }
    return fetch("/csrf-token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        meta.content = body.csrf_token;
        document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
          if (!input.value) { input.value = body.csrf_token; }
        });
        return body.csrf_token;
      });
  }
  window.yipinFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    options.credentials = "same-origin";
    if (meta && options.method && options.method.toUpperCase() !== "GET") {
      return ensureToken().then(function (token) {
        options.headers["X-CSRFToken"] = token;
        return fetch(url, options).then(function (r) { return r.json(); });
      });
    }
    return fetch(url, options).then(function (r) { return r.json(); });
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form.querySelector && form.querySelector('input[name="csrf_token"]');
    if (!input || input.value || event.defaultPrevented) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    ensureToken().then(function () {
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); }
      else { form.submit(); }
    }, function () { form.submit(); });  // the server sends the page back with a note
  });

  var LEVELS = ["province", "city", "county", "township", "village"];
  var LABELS = document.documentElement.lang === "en"
    ? ["Province", "City", "County", "Township", "Village"]
    : ["省份", "城市", "区县", "乡镇街道", "村社区"];

  function initPicker(root) {
    var hidden = root.querySelector('input[type="hidden"]');
    var selects = root.querySelector(".selects");
    var fullName = root.querySelector(".region-full");
    var deepest = LEVELS.indexOf(root.dataset.deepest || "village");

    function clearFrom(level) {
      Array.prototype.slice.call(selects.querySelectorAll("select")).forEach(function (s) {
        if (Number(s.dataset.level) >= level) { s.remove(); }
      });
    }
    function addSelect(level, regions, chosen) {
      var select = document.createElement("select");
      select.dataset.level = level;
      select.setAttribute("aria-label", LABELS[level]);
      var blank = document.createElement("option");
      blank.value = ""; blank.textContent = LABELS[level];
      select.appendChild(blank);
      regions.forEach(function (r) {
        var o = document.createElement("option");
        o.value = r.code; o.textContent = r.name; o.dataset.children = r.has_children ? "1" : "";
        o.dataset.full = r.full_name;
        if (r.code === chosen) { o.selected = true; }
        select.appendChild(o);
      });
      select.addEventListener("change", function () { choose(level, select); });
      selects.appendChild(select);
      return select;
    }
    function load(parent) {
      var url = "/api/v1/regions" + (parent ? "?parent=" + encodeURIComponent(parent) : "");
      return window.yipinFetch(url);
    }
    function choose(level, select) {
      clearFrom(level + 1);
      var option = select.options[select.selectedIndex];
      var code = select.value;
      hidden.value = code || (level > 0 ? selects.querySelector('select[data-level="' + (level - 1) + '"]').value : "");
      fullName.textContent = option && option.dataset.full ? option.dataset.full : "";
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      if (code && option.dataset.children && level + 1 <= deepest) {
        load(code).then(function (regions) { if (regions.length) { addSelect(level + 1, regions); } });
      }
    }
    function restore(value) {
      var cuts = [2, 4, 6, 9, 12].filter(function (n) { return n <= value.length; });
      var parents = [null].concat(cuts.slice(0, -1).map(function (n) { return value.slice(0, n); }));
      return parents.reduce(function (p, parent, i) {
        return p.then(function () {
          return load(parent).then(function (regions) {
            addSelect(i, regions, value.slice(0, cuts[i]));
          });
        });
      }, Promise.resolve()).then(function () {
        var last = selects.querySelector('select[data-level="' + (cuts.length - 1) + '"]');
        if (last) { choose(cuts.length - 1, last); }
      });
    }
    selects.innerHTML = "";
    if (hidden.value) { restore(hidden.value); }
    else { load(null).then(function (regions) { addSelect(0, regions); }); }
  }
  document.querySelectorAll("[data-region-picker]").forEach(initPicker);
})();

/* A form with data-confirm="question" asks before it is sent (instead of an inline onsubmit,
   which the Content-Security-Policy forbids). */
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
}, true);
