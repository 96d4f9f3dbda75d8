import OMSDemo
import OMSDomain

/// The demo catalog every service seeds from: about three hundred SKUs across clothing (sizes and
/// colours), electronics, cosmetics, fresh food, glassware and home goods, with valid EAN-13 barcodes
/// (prefix 690, China), marketplace outer ids, weights, volumes and handling attributes.
/// Invariant: deterministic, so seed migrations' checksums and the load generator never drift.
public enum DemoCatalog {
    public static let products: [Product] = {
        var products: [Product] = []
        var serial = 0
        func add(_ sku: String, _ name: String, _ category: String, _ price: Int64, member: Int64? = nil, grams: Int, cm3: Int, _ handling: HandlingAttributes = .init()) {
            serial += 1
            products.append(Product(sku: sku, name: name, category: category, barcodes: [barcode(serial)], outerIDs: ["marketplace": "TB\(100_000 + serial)"],
                                    listPrice: .fen(price), memberPrice: member.map { .fen($0) }, weightGrams: grams, volumeCubicCentimetres: cm3, handling: handling))
        }
        let sizes = ["S", "M", "L", "XL"]
        let colours = [("BLK", "黑色"), ("WHT", "白色"), ("NVY", "藏青")]
        let garments: [(code: String, name: String, price: Int64, grams: Int)] = [
            ("TEE", "纯棉T恤", 9_900, 200), ("HOOD", "连帽卫衣", 25_900, 550), ("JEAN", "直筒牛仔裤", 29_900, 650),
            ("POLO", "商务Polo衫", 15_900, 250), ("DOWN", "轻薄羽绒服", 59_900, 450), ("SKRT", "百褶半身裙", 19_900, 300),
        ]
        for garment in garments {
            for (colour, colourName) in colours {
                for size in sizes {
                    add("CLO-\(garment.code)-\(colour)-\(size)", "\(garment.name) \(colourName) \(size)", "clothing", garment.price,
                        member: garment.price * 9 / 10, grams: garment.grams, cm3: garment.grams * 4)
                }
            }
        }
        let electronics: [(String, String, Int64, Int, HandlingAttributes)] = [
            ("EARBUDS", "无线蓝牙耳机", 39_900, 120, .init(valuable: true)), ("CHARGER", "65W氮化镓充电器", 14_900, 150, .init()),
            ("POWERBANK", "20000mAh移动电源", 19_900, 400, .init()), ("WATCH", "智能手表", 129_900, 180, .init(fragile: true, valuable: true)),
            ("PHONE", "5G智能手机 256G", 399_900, 420, .init(fragile: true, valuable: true)), ("CABLE", "USB-C数据线 1米", 2_900, 50, .init()),
            ("SPEAKER", "便携音箱", 29_900, 600, .init(fragile: true)), ("KEYBOARD", "机械键盘", 34_900, 900, .init()),
        ]
        for (code, name, price, grams, handling) in electronics {
            for variant in 1...5 {
                add("ELE-\(code)-\(variant)", "\(name) 款\(variant)", "electronics", price + Int64(variant - 1) * 1_000, grams: grams, cm3: grams * 3, handling)
            }
        }
        let cosmetics: [(String, String, Int64, Int, HandlingAttributes)] = [
            ("LOTION", "保湿乳液 100ml", 16_800, 180, .init(liquid: true)), ("SERUM", "精华液 30ml", 42_000, 120, .init(fragile: true, liquid: true, valuable: true)),
            ("PERFUME", "淡香水 50ml", 68_000, 300, .init(fragile: true, liquid: true, valuable: true)), ("LIPSTICK", "哑光口红", 32_000, 40, .init()),
            ("MASK", "补水面膜 10片", 9_900, 350, .init(liquid: true)), ("CLEANSER", "氨基酸洁面乳", 8_900, 150, .init(liquid: true)),
            ("SUNSCREEN", "防晒霜 SPF50", 15_900, 80, .init(liquid: true)), ("CUSHION", "气垫粉底", 28_000, 90, .init(fragile: true)),
            ("TONER", "爽肤水 200ml", 12_800, 260, .init(fragile: true, liquid: true)), ("EYECREAM", "眼霜 15ml", 38_000, 60, .init(fragile: true, valuable: true)),
        ]
        for (code, name, price, grams, handling) in cosmetics {
            for shade in 1...5 {
                add("COS-\(code)-\(shade)", "\(name) #\(shade)", "cosmetics", price, member: price * 95 / 100, grams: grams, cm3: grams * 2, handling)
            }
        }
        let fresh: [(String, String, Int64, Int, HandlingAttributes)] = [
            ("APPLE", "烟台红富士苹果 5斤", 5_990, 2_600, .init(perishable: true)), ("MILK", "鲜牛奶 950ml", 1_980, 1_000, .init(liquid: true, perishable: true)),
            ("SHRIMP", "冷冻大虾 1kg", 12_800, 1_100, .init(perishable: true)), ("SALMON", "三文鱼刺身 300g", 16_800, 350, .init(valuable: true, perishable: true)),
            ("STRAWB", "丹东草莓 2斤", 8_990, 1_100, .init(fragile: true, perishable: true)), ("EGGS", "散养鸡蛋 30枚", 4_590, 1_800, .init(fragile: true, perishable: true)),
            ("BEEF", "澳洲牛排 4片", 19_900, 800, .init(perishable: true)), ("YOGURT", "希腊酸奶 6杯", 3_990, 900, .init(liquid: true, perishable: true)),
            ("CHERRY", "智利车厘子 2斤", 15_900, 1_100, .init(perishable: true)), ("MANGO", "海南芒果 5斤", 6_990, 2_600, .init(perishable: true)),
        ]
        for (code, name, price, grams, handling) in fresh {
            for grade in 1...5 {
                add("FRS-\(code)-\(grade)", "\(name) \(grade)级", "fresh", price + Int64(grade - 1) * 500, grams: grams, cm3: grams * 2, handling)
            }
        }
        let glassware: [(String, String, Int64, Int)] = [
            ("WINEGLASS", "水晶红酒杯 2只", 12_900, 600), ("TUMBLER", "玻璃水杯 4只", 5_900, 900), ("VASE", "手工玻璃花瓶", 19_900, 1_200),
            ("TEAPOT", "耐热玻璃茶壶", 8_900, 700), ("JAR", "玻璃密封罐 3只", 6_900, 1_500), ("DECANTER", "醒酒器", 22_900, 1_100),
            ("BOWL", "玻璃沙拉碗", 7_900, 1_000), ("CARAFE", "冷水壶 1.5L", 9_900, 800),
        ]
        for (code, name, price, grams) in glassware {
            for style in 1...5 {
                add("GLS-\(code)-\(style)", "\(name) 款式\(style)", "glassware", price, grams: grams, cm3: grams * 5, .init(fragile: true))
            }
        }
        let home: [(String, String, Int64, Int)] = [
            ("TOWEL", "纯棉毛巾 3条", 4_900, 400), ("PILLOW", "记忆棉枕头", 19_900, 1_500), ("SHEET", "四件套床品", 39_900, 2_500),
            ("MUG", "陶瓷马克杯", 3_990, 350), ("LAMP", "护眼台灯", 15_900, 1_300), ("RUG", "客厅地毯", 29_900, 3_000),
        ]
        for (code, name, price, grams) in home {
            for style in 1...5 {
                add("HOM-\(code)-\(style)", "\(name) 款式\(style)", "home", price, member: price * 9 / 10, grams: grams, cm3: grams * 4,
                    code == "MUG" || code == "LAMP" ? .init(fragile: true) : .init())
            }
        }
        return products
    }()

    /// A valid EAN-13 for the n-th seeded product: 690 + nine digits + check digit.
    public static func barcode(_ serial: Int) -> String {
        let body = "690" + String(String(100_000_000 + serial).suffix(9))
        let digits = body.utf8.map { Int($0) - 48 }
        let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return body + String((10 - sum % 10) % 10)
    }
}
