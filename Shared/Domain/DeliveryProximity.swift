/// How near a warehouse is to a delivery address, in tiers: 0 same city, 1 same province,
/// 2 same geographic region (华东, 华南 …), 3 elsewhere or unknown. Invariant: pure and
/// symmetric; province and city names match with or without their 省/市/自治区 suffix.
public enum DeliveryProximity {
    public static let sameCity = 0, sameProvince = 1, sameRegion = 2, elsewhere = 3

    /// The seven geographic regions of mainland China (plus Hong Kong, Macau, Taiwan).
    static let regionOfProvince: [String: String] = {
        let regions: [String: [String]] = [
            "华北": ["北京", "天津", "河北", "山西", "内蒙古"],
            "东北": ["辽宁", "吉林", "黑龙江"],
            "华东": ["上海", "江苏", "浙江", "安徽", "福建", "江西", "山东", "台湾"],
            "华中": ["河南", "湖北", "湖南"],
            "华南": ["广东", "广西", "海南", "香港", "澳门"],
            "西南": ["重庆", "四川", "贵州", "云南", "西藏"],
            "西北": ["陕西", "甘肃", "青海", "宁夏", "新疆"],
        ]
        var map: [String: String] = [:]
        for (region, provinces) in regions { for province in provinces { map[province] = region } }
        return map
    }()

    /// The short name of a province ("广西壮族自治区" -> "广西", "浙江省" -> "浙江").
    public static func provinceKey(_ province: String) -> String {
        let trimmed = province.trimmingCharacters(in: .whitespaces)
        if let known = regionOfProvince.keys.first(where: { trimmed.hasPrefix($0) }) { return known }
        return trimmed
    }

    /// The city without its 市 suffix.
    public static func cityKey(_ city: String) -> String {
        let trimmed = city.trimmingCharacters(in: .whitespaces)
        return trimmed.hasSuffix("市") ? String(trimmed.dropLast()) : trimmed
    }

    public static func region(ofProvince province: String) -> String? {
        regionOfProvince[provinceKey(province)]
    }

    /// The tier of a warehouse in (`province`, `city`) for `address`; nil address -> elsewhere.
    public static func tier(warehouseProvince province: String, city: String, to address: Address?) -> Int {
        guard let address else { return elsewhere }
        let inProvince = provinceKey(province) == provinceKey(address.province)
        if inProvince && cityKey(city) == cityKey(address.city) { return sameCity }
        if inProvince { return sameProvince }
        if let a = region(ofProvince: province), a == region(ofProvince: address.province) { return sameRegion }
        return elsewhere
    }
}
