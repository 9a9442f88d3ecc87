/** On the module path, requiring dev.nabla brings the Vector API along: no --add-modules flag. */
module org.example.hello {
    requires dev.nabla;
}
