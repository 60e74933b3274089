// The payment page: Stripe's Payment Element where Stripe.js can be reached; otherwise (no
// internet: tests, intranet demos) say so and leave the offline methods on the page.
(function () {
  "use strict";
  var root = document.getElementById("stripe-pay");
  if (!root) { return; }
  var unreachable = document.getElementById("stripe-unreachable");
  var message = document.getElementById("stripe-message");
  var button = document.getElementById("stripe-submit");
  var settled = false;

  function giveUp() {
    if (settled) { return; }
    settled = true;
    var loading = root.querySelector("[data-stripe-loading]");
    if (loading) { loading.hidden = true; }
    button.hidden = true;
    unreachable.hidden = false;
    root.dataset.state = "unreachable";
  }

  function start() {
    if (settled || typeof window.Stripe !== "function") { giveUp(); return; }
    settled = true;
    var stripe = window.Stripe(root.dataset.publishableKey, { locale: root.dataset.locale });
    var elements = stripe.elements({ clientSecret: root.dataset.clientSecret });
    var element = elements.create("payment", { layout: "tabs" });
    element.mount("#payment-element");
    element.on("ready", function () { button.disabled = false; root.dataset.state = "ready"; });
    button.addEventListener("click", function () {
      button.disabled = true;
      stripe.confirmPayment({ elements: elements, confirmParams: { return_url: root.dataset.returnUrl } })
        .then(function (result) {
          if (result.error) { message.textContent = result.error.message; message.hidden = false; button.disabled = false; }
        });
    });
  }

  var script = document.createElement("script");
  script.src = "https://js.stripe.com/v3/";
  script.async = true;
  script.onload = start;
  script.onerror = giveUp;
  window.setTimeout(giveUp, 8000);
  document.head.appendChild(script);
})();
