// Progressive enhancement only: every page works without this file.
// Buttons stay hidden until the browser can do what they offer.
(function () {
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-status'));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = button.getAttribute('data-done');
      }, function () {
        field.select();
      });
    });
  });
  document.querySelectorAll('[data-share]').forEach(function (button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.share({ title: document.title, url: button.getAttribute('data-share') })
        .catch(function () {});
    });
  });
})();
