import { runCommand } from '../tools/cli';
import { providerSchemasCommand } from '../tools/conformance/provider-schemas-command';

void runCommand(providerSchemasCommand);
