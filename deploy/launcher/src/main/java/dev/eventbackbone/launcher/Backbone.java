package dev.eventbackbone.launcher;

import dev.eventbackbone.contracts.serde.AvroDeserializer;
import dev.eventbackbone.launcher.bench.BenchCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code backbone} command line: the entry point of the launcher jar. */
@Command(name = "backbone",
        mixinStandardHelpOptions = true,
        versionProvider = Backbone.Version.class,
        description = "Event Backbone: a Kafka Streams event backbone.",
        subcommands = {UpCommand.class, ProvisionCommand.class, RunCommand.class, KeysCommand.class, AuditCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Backbone {

    public static void main(String[] args) {
        AvroDeserializer.trustBackboneClasses();
        CommandLine commandLine = new CommandLine(new Backbone());
        commandLine.setExecutionExceptionHandler((failure, command, parsed) -> {
            if (failure instanceof LaunchException) {
                command.getErr().println("backbone: " + failure.getMessage());
                return 1;
            }
            throw failure;
        });
        System.exit(commandLine.execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Backbone.class.getPackage().getImplementationVersion();
            return new String[] {"backbone " + (version == null ? "development build" : version)};
        }
    }
}
