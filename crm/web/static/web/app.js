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

  // The bar's menus (销售, 数据, 设置 …): one open at a time; a click elsewhere or Esc closes.
  function closeMenus(except) {
    document.querySelectorAll("details[data-nav-group][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details[data-nav-group]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // Forms that ask before they act (restore, revoke, deactivate).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // A select that applies at once (the reception desk's 接待台 switch); a button stays for
  // browsers without this file.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-submit-on-change]");
    if (select && select.form) select.form.submit();
  });

  // A printable page's 打印 button (the referral card).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
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
    var radios = field.querySelectorAll("input[type=radio], input[type=checkbox]");
    if (radios.length) {
      return Array.prototype.some.call(radios, function (r) { return r.checked; });
    }
    var input = field.querySelector("input, select, textarea");
    return !!(input && input.value);
  }

  function words(element, name) {
    return (element.getAttribute(name) || "").split(" ");
  }

  // Follow-up record form: each kind shows its own fields (拜访: place, purpose; 邮件: subject,
  // recipient…) and marks what it requires. A field holding a value or an error stays visible.
  function syncFollowupForm(form) {
    var checked = form.querySelector("[data-followup-kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var field = input.closest(".field");
      if (field) field.hidden = !!kind && words(input, "data-kinds").indexOf(kind) < 0 && !keep(field);
    });
    form.querySelectorAll("[data-required-for]").forEach(function (input) {
      var field = input.closest(".field");
      if (field) field.classList.toggle("is-required", words(input, "data-required-for").indexOf(kind) >= 0);
    });
  }

  // Transition form: only the part of the chosen move (grade, deal date, defeat analysis).
  // On arrival a part with an error stays visible; once the user picks a move, only its part.
  function syncTransitionForm(form, picked) {
    var checked = form.querySelector("[data-transition-to]:checked");
    var to = checked ? checked.value : "";
    form.querySelectorAll("fieldset[data-to-only]").forEach(function (section) {
      var mine = section.getAttribute("data-to-only") === to;
      section.hidden = !mine && (picked || !section.querySelector(".field-error"));
    });
  }

  function initWorkForms(root) {
    if (!root || !root.querySelectorAll) return;
    var forms = Array.prototype.slice.call(root.querySelectorAll("form[data-followup-form]"));
    if (root.matches && root.matches("form[data-followup-form]")) forms.push(root);
    forms.forEach(syncFollowupForm);
    root.querySelectorAll("form[data-transition-form]").forEach(function (form) {
      syncTransitionForm(form, false);
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form");
    if (!form) return;
    if (event.target.matches("[data-followup-kind]")) syncFollowupForm(form);
    if (event.target.matches("[data-transition-to]")) syncTransitionForm(form, true);
  });

  // An inline follow-up form on the Today page is closed with its 取消 button.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss-form]");
    if (!button) return;
    var form = button.closest("form");
    if (form) form.remove();
  });

  // A link that opens a folded panel (记录跟进 on the customer page) and puts the cursor in it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open]");
    if (!link) return;
    var panel = document.querySelector(link.getAttribute("data-open"));
    if (!panel) return;
    panel.open = true;
    var first = panel.querySelector("textarea, input:not([type=hidden]):not([type=radio])");
    if (first) window.setTimeout(function () { first.focus(); }, 0);
  });

  // Content that htmx brings in (an inline form, a refreshed section) gets the same behaviour.
  document.addEventListener("htmx:load", function (event) { initWorkForms(event.detail.elt); });

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

  // Long notes fold to a few lines (the fold filter); 展开全文 shows only where the text is
  // really cut off at this width, and opens it.
  function initFolds(root) {
    root.querySelectorAll("[data-fold]").forEach(function (box) {
      var toggle = box.nextElementSibling;
      if (toggle && toggle.matches("[data-fold-toggle]")) {
        toggle.hidden = box.scrollHeight <= box.clientHeight + 2 && !box.classList.contains("fold-open");
      }
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-fold-toggle]");
    if (!toggle) return;
    var box = toggle.previousElementSibling;
    var open = box.classList.toggle("fold-open");
    var other = toggle.getAttribute("data-less");
    toggle.setAttribute("data-less", toggle.textContent);
    toggle.textContent = other;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("htmx:load", function (event) { initFolds(event.target); });

  function init() {
    initCustomerForms(document);
    initWorkForms(document);
    initFolds(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* --- the customer list: select all on the page, the bulk bar's count and value field -------- */
(function () {
  "use strict";

  function bulkForm(el) { return el.closest("form.bulk-form"); }

  function refresh(form) {
    if (!form) return;
    var boxes = form.querySelectorAll("input[name=ids]");
    var checked = form.querySelectorAll("input[name=ids]:checked").length;
    var counter = form.querySelector("[data-bulk-count]");
    if (counter) counter.textContent = String(checked);
    var all = form.querySelector("[data-check-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    var operation = form.querySelector("[data-bulk-operation]");
    if (operation) {
      form.querySelectorAll("[data-bulk-value]").forEach(function (field) {
        var wanted = field.getAttribute("data-bulk-value").split(" ");
        field.hidden = wanted.indexOf(operation.value) < 0;
      });
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = bulkForm(target);
    if (!form) return;
    if (target.matches("[data-check-all]")) {
      form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = target.checked; });
    }
    refresh(form);
  });

  // The 视图 and 列 menus sit outside the results htmx replaces: on submit they take the list's
  // address as it is now (the filters typed since the page loaded), not as it was.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-current-query]");
    if (!form) return;
    var query = form.querySelector("input[name=query]");
    if (query) query.value = window.location.search.replace(/^\?/, "");
    var next = form.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });

  function init(root) {
    (root || document).querySelectorAll("form.bulk-form").forEach(refresh);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
  if (document.readyState !== "loading") init(document);
})();
