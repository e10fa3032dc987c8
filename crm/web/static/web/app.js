/* Small progressive enhancements. The CSP forbids inline scripts and eval, so behaviour is
   attached here through data attributes; every page also works without this file. */
(function () {
  "use strict";

  // Phone width: the navigation collapses behind the 菜单 button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Forms that ask before they act (restore, revoke, deactivate).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Copy a freshly issued API token.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "✓";
      });
    }
  });

  // Customer form: the grade only matters for intention customers; person and organisation
  // fields show for their kind. A field that holds a value or an error always stays visible.
  function keep(field) {
    if (field.querySelector(".field-error")) return true;
    var input = field.querySelector("input, select, textarea");
    return !!(input && input.value);
  }

  function syncCustomerForm(form) {
    var kind = form.querySelector("[data-kind-switch]:checked");
    form.querySelectorAll("[data-kind-only]").forEach(function (field) {
      field.hidden = !!kind && field.getAttribute("data-kind-only") !== kind.value && !keep(field);
    });
    var category = form.querySelector("[data-category-switch]");
    var grade = form.querySelector("#field-grade");
    if (category && grade) grade.hidden = category.value !== "intention" && !keep(grade);
  }

  function initCustomerForms(root) {
    root.querySelectorAll("form.customer-form").forEach(function (form) {
      syncCustomerForm(form);
      form.addEventListener("change", function (event) {
        if (!event.target.matches("[data-kind-switch], [data-category-switch]")) return;
        var grade = form.querySelector("#field-grade select");
        if (event.target.matches("[data-category-switch]") && event.target.value !== "intention" && grade) {
          grade.value = "";
        }
        syncCustomerForm(form);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initCustomerForms(document); });
  } else {
    initCustomerForms(document);
  }
})();
