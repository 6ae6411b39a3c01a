/**
 * The three ways a WeCom call can fail, split by who can act (STYLE §11):
 * - {@link WeComApiError}: WeCom answered with a non-zero `errcode` (the remote said no);
 * - {@link WeComHttpError}: no usable answer came (network error, 5xx, time-out, non-JSON);
 * - {@link WeComConfigError}: an `errcode` that only an operator can fix (secret, corp id, trusted IP).
 */

/** errcodes that mean the deployment is misconfigured; retrying cannot help (contract §0.1). */
export const CONFIG_ERRCODES: ReadonlySet<number> = new Set([40001, 40013, 40091, 41002, 41004, 48002, 60020]);

/** WeCom returned `errcode != 0`. Branch on `errcode`, never on `errmsg` (its text changes). */
export class WeComApiError extends Error {
  override name = 'WeComApiError';
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeCom ${api} failed: errcode ${errcode} (${errmsg})`);
  }
}

/** An errcode an operator must fix: wrong secret, wrong corp id, server IP not trusted, app not permitted. */
export class WeComConfigError extends WeComApiError {
  override name = 'WeComConfigError';
  constructor(api: string, errcode: number, errmsg: string) {
    super(api, errcode, errmsg);
    this.message = `WeCom configuration problem on ${api}: errcode ${errcode} — ${configHint(errcode)} (${errmsg})`;
  }
}

/** No answer, a 5xx, a time-out, or a body that is not WeCom JSON. */
export class WeComHttpError extends Error {
  override name = 'WeComHttpError';
  constructor(
    readonly api: string,
    message: string,
    readonly status?: number,
  ) {
    super(`WeCom ${api}: ${message}`);
  }
}

function configHint(errcode: number): string {
  switch (errcode) {
    case 40001:
      return 'the secret (WECOM_SECRET / WECOM_KF_SECRET) is wrong';
    case 40013:
      return 'the corp id (WECOM_CORP_ID) is wrong';
    case 40091:
      return 'the secret does not belong to this corp';
    case 41002:
    case 41004:
      return 'the corp id or secret is missing';
    case 48002:
      return 'this app is not allowed to call this API (微信客服: add the app under "可调用接口的应用")';
    case 60020:
      return "this server's IP is not in the app's trusted IP list (企业可信IP)";
    default:
      return 'check the WeCom settings';
  }
}
