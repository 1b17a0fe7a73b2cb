// Demo site script: logs to the console so the recording has a browser console log.
(function () {
  var page = location.pathname.split("/").pop() || "index.html";
  console.log("acme: page loaded " + page);
  if (page === "index.html") {
    console.warn("acme: using demo credentials, any username works");
    document.getElementById("login").addEventListener("submit", function () {
      console.log("acme: signing in as " + document.getElementById("username").value);
    });
  }
  if (page === "search.html") {
    var params = new URLSearchParams(location.search);
    document.getElementById("who").textContent = "Signed in as " + (params.get("user") || "guest");
    // A request that fails on purpose: the HAR and the console log show a 404.
    fetch("/api/recommendations?user=" + encodeURIComponent(params.get("user") || "guest"))
      .then(function (r) {
        if (!r.ok) { console.error("acme: recommendations failed with HTTP " + r.status); }
      });
    document.getElementById("filter").addEventListener("click", function () {
      var cat = document.getElementById("category").value;
      console.log("acme: filter by category " + (cat || "(all)"));
      document.querySelectorAll("#parts tbody tr").forEach(function (tr) {
        tr.classList.toggle("hidden", !!cat && tr.getAttribute("data-cat") !== cat);
      });
    });
  }
  if (page === "confirm.html") {
    var part = new URLSearchParams(location.search).get("part") || "unknown";
    document.getElementById("part").textContent = part;
    console.log("acme: order placed for " + part);
  }
})();
