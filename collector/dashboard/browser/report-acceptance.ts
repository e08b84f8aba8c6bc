// A report's page (collector/reports/pages/acceptance-page.ts): the customer accepts the report or returns it with
// a remark (required: the engineers need to know what to change); staff send a signed report again. Each answer is
// one POST to /api/reports/:id/...; the page is then loaded again to show what the server recorded.
import { dataJson, goAfterSave, sendJson } from './common.js';

interface Labels {
  remarkRequired?: string;
  error?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function answerForm(): void {
  const section = document.getElementById('report-answer');
  const api = section?.getAttribute('data-api');
  if (!section || !api) return;
  const labels = dataJson<Labels>(section, 'data-labels', {});
  const errorBox = document.getElementById('answer-error');
  const accept = document.getElementById('report-accept') as HTMLButtonElement | null;
  const ret = document.getElementById('report-return') as HTMLButtonElement | null;
  const remark = document.getElementById('return-remark') as HTMLTextAreaElement | null;
  const show = (text: string) => {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = !text;
  };
  const send = (path: string, body: unknown) => {
    show('');
    if (accept) accept.disabled = true;
    if (ret) ret.disabled = true;
    sendJson('POST', `${api}/${path}`, body).then(
      () => goAfterSave(`${location.pathname}#report-answer`),
      (err: unknown) => {
        show(`${labels.error ? `${labels.error} ` : ''}${message(err)}`);
        if (accept) accept.disabled = false;
        if (ret) ret.disabled = false;
      },
    );
  };
  accept?.addEventListener('click', () => send('accept', {}));
  ret?.addEventListener('click', () => {
    const text = remark?.value.trim() ?? '';
    if (!text) {
      show(labels.remarkRequired ?? '');
      remark?.focus();
      return;
    }
    send('return', { remark: text });
  });
}

function sendAgain(): void {
  const button = document.getElementById('delivery-send-again') as HTMLButtonElement | null;
  const api = button?.getAttribute('data-api');
  if (!button || !api) return;
  button.addEventListener('click', () => {
    button.disabled = true;
    sendJson('POST', api, {}).then(
      () => goAfterSave(`${location.pathname}#report-delivery`),
      (err: unknown) => {
        button.disabled = false;
        button.title = message(err);
      },
    );
  });
}

export function startReportAcceptance(): void {
  answerForm();
  sendAgain();
}
