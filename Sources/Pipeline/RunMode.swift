/// Whether a target's decisions are applied (`live`) or only recorded (`shadow`): `controller.mode`
/// and `targets[].mode` in the config, the mode of the status API and the decision log.
public enum RunMode: String, Sendable, Equatable, Codable, CaseIterable {
    case shadow
    case live
}
