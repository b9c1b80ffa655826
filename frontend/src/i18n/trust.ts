// The /trust page's message catalogue: how to install Signalbox's own
// certificate authority on each kind of device, in English and Simplified
// Chinese. Terms: certificate 证书, certificate authority 证书颁发机构,
// fingerprint 指纹, camera 摄像头, microphone 麦克风, join 加入.
// Menu paths follow what each system shows in that language (iOS 设置 →
// 已下载描述文件; Android 设置 → 安全 → 加密与凭据; Windows 受信任的根证书颁发机构;
// macOS 钥匙串访问 → 始终信任). “{name}” is the authority's name.

import type { Catalogue } from './core';

const en = {
  'app.name': 'Signalbox',
  'title': 'Trust this Signalbox · Signalbox',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.zh': '中文',

  'heading': 'Trust this Signalbox once',
  'intro': 'Browsers let a page use the camera and microphone only over a secure (HTTPS) connection. Signalbox makes its own certificate, signed by a certificate authority that lives on the Signalbox computer. Install that authority once on each device and its browser opens Signalbox with no warning.',
  'download.title': 'Download the certificate',
  'download.crt': 'Download the certificate',
  'download.pem': 'PEM file (Linux, Firefox)',
  'download.name': 'Its name starts with “{name}”.',

  'fp.title': 'Check the fingerprint first',
  'fp.help': 'Compare this SHA-256 fingerprint with the one the Signalbox computer shows (in its window, or printed in its terminal). Install only if they are the same.',
  'fp.loading': 'Reading the fingerprint…',
  'fp.failed': 'The fingerprint could not be read. Reload the page.',
  'fp.none': 'This Signalbox does not use its own certificate authority (HTTPS is off, or it serves a certificate its owner installed), so there is nothing to install here.',

  'steps.title': 'Install it on your device',
  'steps.yours': 'your device',

  'ios.title': 'iPhone and iPad',
  'ios.1': 'Open this page in Safari and tap “Download the certificate”, then “Allow”.',
  'ios.2': 'Open Settings → Profile Downloaded → Install, enter your passcode and tap Install again.',
  'ios.3': 'Then open Settings → General → About → Certificate Trust Settings and turn on full trust for “{name}”.',

  'android.title': 'Android',
  'android.1': 'Tap “Download the certificate”; it is saved in Downloads.',
  'android.2': 'Open Settings → Security → Encryption & credentials → Install a certificate → CA certificate, tap “Install anyway” and choose the file. (On some phones: Settings → Security & privacy → More security settings.)',
  'android.3': 'Chrome trusts it at once. Other apps may not.',

  'windows.title': 'Windows',
  'windows.1': 'Download the certificate and open the file, then click “Install Certificate…”.',
  'windows.2': 'Choose Current User (or Local Machine, for everyone on this computer).',
  'windows.3': 'Choose “Place all certificates in the following store” → Browse → Trusted Root Certification Authorities, then Next, Finish, and Yes.',
  'windows.4': 'Restart the browser. Chrome and Edge use it.',

  'macos.title': 'Mac',
  'macos.1': 'Download the certificate and double-click it; Keychain Access opens. Add it to the System keychain.',
  'macos.2': 'In Keychain Access, open System → Certificates, double-click “{name}”, open Trust and set “When using this certificate” to Always Trust.',
  'macos.3': 'Close the window and enter your password. Safari and Chrome use it.',

  'linux.title': 'Linux, and Firefox anywhere',
  'linux.1': 'Firefox: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import. Choose the PEM file and tick “Trust this CA to identify websites”.',
  'linux.2': 'Chrome or Chromium on Linux: Settings → Privacy and security → Security → Manage certificates, and import the PEM file as a trusted authority (under “Installed by you” in newer versions, “Authorities” in older ones), trusted for identifying websites.',
  'linux.3': 'Or in a terminal: certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n signalbox -i signalbox-ca.pem',

  'skip.title': 'If you skip this',
  'skip.body': 'The first time you open Signalbox the browser warns that the connection is not private, because the certificate comes from this Signalbox and not from a public authority. Check the fingerprint above, then continue: in Chrome and Edge choose Advanced → Proceed; in Safari, Show Details → visit this website; in Firefox, Advanced → Accept the Risk and Continue. The camera then works, and the browser may ask again another day.',

  'back': 'Back to Signalbox: join a call',
} satisfies Record<string, string>;

/** TrustKey is a key of the /trust page's catalogue. */
export type TrustKey = keyof typeof en;

const zh: Record<TrustKey, string> = {
  'app.name': 'Signalbox',
  'title': '信任这台 Signalbox · Signalbox',
  'lang.label': '语言',
  'lang.en': 'English',
  'lang.zh': '中文',

  'heading': '只需一次：信任这台 Signalbox',
  'intro': '浏览器只允许通过安全（HTTPS）连接的网页使用摄像头和麦克风。Signalbox 自己生成证书，由运行 Signalbox 的电脑上的证书颁发机构签发。在每台设备上安装一次这个证书颁发机构，浏览器以后打开 Signalbox 就不会再警告。',
  'download.title': '下载证书',
  'download.crt': '下载证书',
  'download.pem': 'PEM 文件（Linux、Firefox）',
  'download.name': '它的名称以“{name}”开头。',

  'fp.title': '先核对指纹',
  'fp.help': '请把这个 SHA-256 指纹与运行 Signalbox 的电脑上显示的指纹（在它的窗口中，或打印在终端里）比较。完全一致才安装。',
  'fp.loading': '正在读取指纹…',
  'fp.failed': '无法读取指纹，请刷新页面。',
  'fp.none': '这台 Signalbox 没有使用自己的证书颁发机构（HTTPS 已关闭，或使用了管理员安装的证书），因此这里没有需要安装的内容。',

  'steps.title': '在你的设备上安装',
  'steps.yours': '你的设备',

  'ios.title': 'iPhone 和 iPad',
  'ios.1': '用 Safari 打开本页，轻点“下载证书”，再轻点“允许”。',
  'ios.2': '打开“设置”→“已下载描述文件”→“安装”，输入密码后再次轻点“安装”。',
  'ios.3': '然后打开“设置”→“通用”→“关于本机”→“证书信任设置”，为“{name}”打开完全信任。',

  'android.title': 'Android',
  'android.1': '轻点“下载证书”，文件会保存在“下载”中。',
  'android.2': '打开“设置”→“安全”→“加密与凭据”→“安装证书”→“CA 证书”，轻点“仍然安装”并选择该文件。（部分手机为“设置”→“安全和隐私”→“更多安全设置”。）',
  'android.3': 'Chrome 会立即信任它，其他应用可能不会。',

  'windows.title': 'Windows',
  'windows.1': '下载证书并打开文件，点击“安装证书…”。',
  'windows.2': '选择“当前用户”（或“本地计算机”，对这台电脑的所有用户生效）。',
  'windows.3': '选择“将所有的证书都放入下列存储”→“浏览”→“受信任的根证书颁发机构”，然后点击“下一步”“完成”和“是”。',
  'windows.4': '重新启动浏览器。Chrome 和 Edge 会使用它。',

  'macos.title': 'Mac',
  'macos.1': '下载证书并双击它，会打开“钥匙串访问”。把它添加到“系统”钥匙串。',
  'macos.2': '在“钥匙串访问”中打开“系统”→“证书”，双击“{name}”，展开“信任”，把“使用此证书时”设为“始终信任”。',
  'macos.3': '关闭窗口并输入密码。Safari 和 Chrome 会使用它。',

  'linux.title': 'Linux，以及任何系统上的 Firefox',
  'linux.1': 'Firefox：“设置”→“隐私与安全”→“证书”→“查看证书”→“证书颁发机构”→“导入”。选择 PEM 文件，勾选“信任由此证书颁发机构来标识网站”。',
  'linux.2': 'Linux 上的 Chrome 或 Chromium：“设置”→“隐私和安全”→“安全”→“管理证书”，把 PEM 文件作为受信任的证书颁发机构导入（新版本在“由您安装”下，旧版本在“授权机构”下），并信任它来标识网站。',
  'linux.3': '或在终端中运行：certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n signalbox -i signalbox-ca.pem',

  'skip.title': '如果跳过这一步',
  'skip.body': '第一次打开 Signalbox 时，浏览器会警告连接不是私密连接，因为证书来自这台 Signalbox，而不是公共证书颁发机构。先核对上面的指纹，然后继续：Chrome 和 Edge 中选择“高级”→“继续前往”；Safari 中选择“显示详细信息”→“访问此网站”；Firefox 中选择“高级”→“接受风险并继续”。之后摄像头就能使用，浏览器可能过些天再次询问。',

  'back': '返回 Signalbox：加入通话',
};

/** trustCatalogue is every word of the /trust page, in both languages. */
export const trustCatalogue: Catalogue<TrustKey> = { en, 'zh-CN': zh };
