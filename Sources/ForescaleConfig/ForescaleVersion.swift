/// The version `forescale version` prints.
public enum ForescaleVersion {
    public static let current = "0.1.0-dev"
}
