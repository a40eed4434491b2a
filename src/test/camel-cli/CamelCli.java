/**
 * The camel CLI's entry point: CamelJBangMain has no main(), JBang's launcher calls run() the same way.
 */
public class CamelCli {
    public static void main(String[] args) throws Exception {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
