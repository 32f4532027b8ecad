import { replaceInterpolations } from '../../tools/validate/aws-projection';

/**
 * What Terraform makes of a template string from the JSON: `$${` and `%%{` become
 * literal `${` and `%{`, and each interpolation is replaced by `value(expr)` (a test
 * stand-in such as an example ARN). Throws on an interpolation `value` does not know,
 * so a test notices new references.
 */
export function renderTemplate(text: string, value: (expr: string) => string | undefined): string {
  const rendered = replaceInterpolations(text, (expr) => {
    const v = value(expr);
    if (v === undefined) throw new Error(`renderTemplate: no test value for \${${expr}}`);
    return v;
  });
  return rendered.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** Example values for the references a key server's user-data may contain. */
export function exampleArnFor(expr: string): string | undefined {
  const m = /^aws_secretsmanager_secret\.([\w-]+)\.arn$/.exec(expr);
  return m ? `arn:aws:secretsmanager:us-east-1:123456789012:secret:${m[1]}-AbCdEf` : undefined;
}
