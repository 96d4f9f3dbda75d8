/// How far a parcel travels, for rate cards, transit times and delivery promises: same city, same
/// province, same region, across the country, or to a remote province (新疆, 西藏, 青海, 内蒙古, 宁夏,
/// 甘肃) from outside its region. Invariant: derived only from `DeliveryProximity` and the remote list.
public enum DeliveryZone: String, Codable, Hashable, Sendable, CaseIterable {
    case sameCity, sameProvince, sameRegion, national, remote

    static let remoteProvinces: Set<String> = ["新疆", "西藏", "青海", "内蒙古", "宁夏", "甘肃"]

    /// The zone from a warehouse in (`province`, `city`) to `address`; unknown address -> national.
    public static func of(originProvince province: String, city: String, to address: Address?) -> DeliveryZone {
        switch DeliveryProximity.tier(warehouseProvince: province, city: city, to: address) {
        case DeliveryProximity.sameCity: return .sameCity
        case DeliveryProximity.sameProvince: return .sameProvince
        case DeliveryProximity.sameRegion: return .sameRegion
        default:
            guard let address else { return .national }
            return remoteProvinces.contains(DeliveryProximity.provinceKey(address.province)) ? .remote : .national
        }
    }
}
