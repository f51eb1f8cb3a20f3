// Refreshes a training's progress (role="status") every few seconds, without reloading.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  function set(field, value) {
    var node = box.querySelector('[data-field="' + field + '"]');
    if (node && node.textContent !== String(value)) { node.textContent = value; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        set("label", state.label);
        set("phase", state.phase);
        set("progress", state.progress);
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + " %"; }
        if (state.finished) {
          var done = document.querySelector(".run-progress__done");
          if (done) { done.hidden = false; }
          return;
        }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();

// The preview waits for Rasa's validation (about 10 s; the project's own checks answer at
// once): says so where screen readers hear it (role="status").
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-slow-check]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function () {
      var status = form.querySelector("[data-slow-check-status]");
      var button = form.querySelector("button[type=submit]");
      if (status) {
        status.textContent = "Vérification par Rasa en cours, environ 10 secondes\u00a0: " +
          "la modification s'affichera ensuite.";
        var bar = document.createElement("progress");
        bar.setAttribute("aria-label", "Vérification par Rasa");
        status.appendChild(document.createElement("br"));
        status.appendChild(bar);
      }
      if (button) { button.setAttribute("aria-disabled", "true"); }
    }, { once: true });
  });
})();
