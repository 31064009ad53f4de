// The letter page works without this: it only adds a one-click "copy link" where the browser allows it, and takes
// away the note that signing needs JavaScript (a <noscript> would not do: browsers that block scripts per site
// still parse it as if scripts ran).
for (const note of document.querySelectorAll('.needs-script')) note.hidden = true;
const button = document.getElementById('copy-link');
const link = document.getElementById('share-link');
const status = document.getElementById('copy-status');
if (button && link && navigator.clipboard) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(link.value);
      status.textContent = button.dataset.copied;
    } catch {
      link.select(); // the person can still copy it themselves
    }
  });
}
