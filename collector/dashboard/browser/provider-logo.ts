// The provider settings page (collector/reports/pages/provider-page.ts): a chosen logo is shown before it is
// saved, and a file that is too big or not a PNG/SVG is refused at once, in the page language (the words come in
// the input's data attributes). The server checks the content again (reports/logo.ts): this only saves a round trip.

export function startProviderLogo(): void {
  const input = document.getElementById('provider-logo-file') as HTMLInputElement | null;
  const box = document.getElementById('provider-logo-check');
  const preview = document.getElementById('provider-logo-new') as HTMLImageElement | null;
  if (!input || !box || !preview) return;
  const max = Number(input.getAttribute('data-max-bytes') ?? '0');
  const refuse = (text: string) => {
    input.setCustomValidity(text);
    box.textContent = text;
    box.hidden = !text;
    if (text) preview.hidden = true;
  };
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    refuse('');
    preview.hidden = true;
    if (!file) return;
    const typeOk = file.type === 'image/png' || file.type === 'image/svg+xml' || /\.(png|svg)$/i.test(file.name);
    if (!typeOk) return refuse(`${input.getAttribute('data-wrong-type') ?? ''} (${file.name})`);
    if (max && file.size > max) return refuse(`${input.getAttribute('data-too-big') ?? ''} (${Math.ceil(file.size / 1024)} KiB)`);
    // A data: URL (the CSP allows data: images, not blob:).
    const reader = new FileReader();
    reader.onload = () => {
      if (typeof reader.result !== 'string') return;
      preview.src = reader.result;
      preview.hidden = false;
    };
    reader.readAsDataURL(file);
  });
}
