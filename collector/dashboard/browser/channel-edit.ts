// A notification channel's edit page: PATCH /api/notification-channels/:id merges into the stored config. The
// secret (SMTP password, DingTalk/Feishu signing secret) is never in the page: an empty field leaves the stored
// one alone (secret left out); the "remove" box clears it (null); anything typed replaces it.
import { control, isChecked, valueOf } from './common.js';
import { jsonForm } from './json-form.js';

export function startChannelEditForm(): void {
  jsonForm('channel-edit-form', (f) => {
    const config: Record<string, unknown> = { lang: valueOf(f, 'lang') };
    // customerId: '' is "all customers" (null); the API refuses a customer that does not exist.
    const body: Record<string, unknown> = { name: valueOf(f, 'name'), enabled: isChecked(f, 'enabled'), customerId: valueOf(f, 'customerId') || null, config };
    if (f.getAttribute('data-kind') === 'email') {
      config.host = valueOf(f, 'host');
      config.port = Number(valueOf(f, 'port') || 587);
      config.secure = valueOf(f, 'security') === 'tls';
      config.user = valueOf(f, 'user').trim();
      config.from = valueOf(f, 'from').trim();
      config.to = valueOf(f, 'to')
        .split(/[,;\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      config.notifyOnDuty = isChecked(f, 'notifyOnDuty');
      config.tlsRejectUnauthorized = isChecked(f, 'verifyTls');
      config.requireTls = isChecked(f, 'requireTls');
      if (valueOf(f, 'password')) body.secret = valueOf(f, 'password');
      else if (isChecked(f, 'clearPassword')) body.secret = null;
    } else {
      config.url = valueOf(f, 'url');
      // DingTalk/Feishu: a pasted secret's stray spaces would only break the signature.
      if (control(f, 'secret')) {
        const typed = valueOf(f, 'secret').trim();
        if (typed) body.secret = typed;
        else if (isChecked(f, 'clearSecret')) body.secret = null;
      }
    }
    return body;
  });
}
