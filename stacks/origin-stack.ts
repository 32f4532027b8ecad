import type { Construct } from 'constructs';
import { HardenedBucket } from '../modules/hardened-bucket';
import { EnvStack, EnvStackProps } from './env-stack';

export type OriginStackProps = EnvStackProps;

/** The AWS origin: the versioned truststore bucket (API Gateway mTLS domains follow). */
export class OriginStack extends EnvStack {
  readonly truststoreBucket: HardenedBucket;

  constructor(scope: Construct, props: OriginStackProps) {
    super(scope, 'origin', props);
    this.useAws();
    const emulated = props.env.config.aws.endpoint !== undefined;
    this.truststoreBucket = new HardenedBucket(this, 'TruststoreBucket', {
      namePrefix: `${props.env.config.name}-mtls-truststore`,
      enforceTls: !emulated,
    });
  }
}
