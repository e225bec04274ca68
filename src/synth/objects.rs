//! Pools of object names (estates, roads, companies, schools, villages, projects, shops),
//! built combinatorially from prefixes and suffixes so that the same kind of problem can happen
//! at hundreds of distinct places.

use super::Rng;

pub(super) const ESTATE_PREFIX: [&str; 72] = [
    "阳光", "枫林", "幸福", "翠湖", "金色", "锦绣", "春江", "碧水", "滨江", "书香", "和平", "丽景",
    "东方", "名都", "新城", "学府", "金桂", "银杏", "紫荆", "御景", "香樟", "梧桐", "兰亭", "盛世",
    "天悦", "润泽", "时代", "未来", "星河", "海棠", "春晓", "江南", "水岸", "锦江", "世纪", "富康",
    "康居", "福润", "瑞景", "华府", "中央", "公园", "蓝湾", "万象", "君悦", "雅居", "怡和", "泰和",
    "长青", "青松", "芙蓉", "桃源", "杏林", "荷塘", "柳岸", "凤凰", "麒麟", "明珠", "翡翠", "玫瑰",
    "百合", "梅岭", "东湖", "西城", "南山", "北辰", "清水", "金泰", "鸿福", "宝龙", "绿洲", "融城",
];
pub(super) const ESTATE_SUFFIX: [&str; 16] = [
    "花园", "苑", "小区", "家园", "雅苑", "华庭", "名苑", "新村", "公馆", "山庄", "城", "府",
    "佳园", "丽都", "嘉园", "湾",
];

const ROAD_PREFIX: [&str; 52] = [
    "建设", "人民", "解放", "中山", "新华", "胜利", "环城", "光明", "和平", "东风", "文化", "滨河",
    "朝阳", "迎宾", "工业", "车站", "青年", "长江", "黄河", "五一", "八一", "劳动", "学院", "桂花",
    "金星", "枫林", "北站", "南湖", "西环", "体育", "府前", "创业", "科技", "振兴", "兴业", "团结",
    "友谊", "红旗", "沿江", "建国", "民主", "复兴", "龙泉", "太平", "望江", "东环", "新民", "育才",
    "健康", "农林", "石油", "矿山",
];
const ROAD_SUFFIX: [&str; 11] = [
    "路", "街", "大道", "东路", "西路", "南路", "北路", "中路", "巷", "一路", "二路",
];

const COMPANY_PREFIX: [&str; 64] = [
    "宏达",
    "鑫源",
    "华兴",
    "顺通",
    "绿源",
    "金鼎",
    "天成",
    "恒通",
    "安居",
    "盛世",
    "永盛",
    "荣昌",
    "瑞丰",
    "嘉禾",
    "博远",
    "新锐",
    "众合",
    "隆鑫",
    "德润",
    "远航",
    "汇通",
    "正元",
    "泰丰",
    "中恒",
    "宏图",
    "兴隆",
    "万达通",
    "长盛",
    "金源",
    "华茂",
    "宇通",
    "国信",
    "恒基",
    "凯旋",
    "明达",
    "鼎盛",
    "富民",
    "百川",
    "联创",
    "华信",
    "天宇",
    "锦程",
    "东升",
    "信达",
    "广源",
    "和顺",
    "新世纪",
    "金海",
    "祥和",
    "通达",
    "润丰",
    "福星",
    "鸿运",
    "大成",
    "协力",
    "同兴",
    "聚丰",
    "益民",
    "安泰",
    "旭日",
    "海川",
    "伟业",
    "昌盛",
    "金利",
];

/// Kinds of companies; a problem asks for the kind it is about.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Build,
    Develop,
    Property,
    Factory,
    Training,
    Employer,
    Heat,
    Gas,
    Grocery,
    Restaurant,
    Membership,
    Farm,
    Clinic,
    Hospital,
    Nursing,
    Transport,
    Finance,
}

impl Kind {
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Build => &[
                "建筑工程有限公司",
                "建设集团",
                "劳务有限公司",
                "建工集团",
                "市政工程有限公司",
                "路桥工程公司",
            ],
            Kind::Develop => &[
                "房地产开发有限公司",
                "置业有限公司",
                "地产集团",
                "置地有限公司",
                "房地产公司",
            ],
            Kind::Property => &[
                "物业管理有限公司",
                "物业服务有限公司",
                "物业公司",
                "物业服务中心",
            ],
            Kind::Factory => &[
                "化工有限公司",
                "塑料制品厂",
                "印染厂",
                "涂料有限公司",
                "橡胶制品厂",
                "铸造厂",
                "建材有限公司",
                "混凝土搅拌站",
                "沥青搅拌站",
                "木业加工厂",
            ],
            Kind::Training => &[
                "教育培训学校",
                "培训中心",
                "艺术培训学校",
                "教育科技有限公司",
                "英语培训机构",
            ],
            Kind::Employer => &[
                "电子科技有限公司",
                "食品有限公司",
                "服装厂",
                "物流有限公司",
                "商贸有限公司",
                "机械制造有限公司",
                "酒店管理有限公司",
                "家具厂",
                "保安服务公司",
                "汽车零部件有限公司",
            ],
            Kind::Heat => &["热力有限公司", "供热公司", "热电公司"],
            Kind::Gas => &["燃气有限公司", "天然气公司", "燃气公司"],
            Kind::Grocery => &["超市", "便利店", "生鲜超市", "购物广场", "副食店"],
            Kind::Restaurant => &["餐馆", "烧烤店", "火锅店", "酒楼", "小吃店", "大排档"],
            Kind::Membership => &[
                "健身会所",
                "美容美发店",
                "游泳馆",
                "瑜伽馆",
                "洗车店",
                "养生馆",
            ],
            Kind::Farm => &["农资店", "种子门市部", "农资经营部", "养殖场", "合作社"],
            Kind::Clinic => &["诊所", "门诊部", "口腔诊所", "中医馆"],
            Kind::Hospital => &["医院", "人民医院", "中医医院", "妇幼保健院"],
            Kind::Nursing => &["养老院", "敬老院", "颐养中心", "老年公寓"],
            Kind::Transport => &["出租车公司", "客运公司", "公交公司", "网约车平台"],
            Kind::Finance => &[
                "投资管理有限公司",
                "财富管理公司",
                "理财咨询有限公司",
                "融资担保公司",
            ],
        }
    }
}

/// A name built from a prefix and a suffix, with its short forms.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub full: String,
    pub short: String,
}

pub(super) fn estate(rng: &mut Rng) -> Named {
    let p = *rng.pick(&ESTATE_PREFIX);
    let s = *rng.pick(&ESTATE_SUFFIX);
    let phase = match rng.below(12) {
        0 => "二期",
        1 => "一期",
        2 => "三期",
        _ => "",
    };
    let full = format!("{p}{s}{phase}");
    let short = if s == "小区" {
        format!("{p}{s}")
    } else {
        format!("{p}小区")
    };
    Named { full, short }
}

pub(super) fn road(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&ROAD_PREFIX), rng.pick(&ROAD_SUFFIX))
}

pub(super) fn company(rng: &mut Rng, kind: Kind, county: &str) -> Named {
    let p = *rng.pick(&COMPANY_PREFIX);
    let s = *rng.pick(kind.suffixes());
    let local = if rng.chance(0.2) { county } else { "" };
    let full = format!("{local}{p}{s}");
    let short = match kind {
        Kind::Grocery
        | Kind::Restaurant
        | Kind::Membership
        | Kind::Farm
        | Kind::Clinic
        | Kind::Hospital
        | Kind::Nursing => format!("{p}{s}"),
        _ => format!("{p}公司"),
    };
    Named { full, short }
}

const VILLAGE_PREFIX: [&str; 48] = [
    "李家", "王家", "张家", "刘家", "陈家", "石门", "桥头", "白沙", "黄泥", "青山", "柳树", "杨柳",
    "大塘", "长岭", "高坪", "马鞍", "龙潭", "石桥", "新屋", "枫树", "竹山", "双河", "三合", "五里",
    "七星", "八角", "九龙", "上湾", "下湾", "东岭", "西坡", "南岗", "北塘", "金鸡", "牛角", "荷花",
    "梨树", "桃花", "水口", "山背", "河口", "田心", "花园", "太阳", "红星", "幸福", "团山", "井冲",
];
const VILLAGE_SUFFIX: [&str; 6] = ["村", "湾村", "坪村", "庄村", "冲村", "铺村"];

pub(super) fn village(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&VILLAGE_PREFIX), rng.pick(&VILLAGE_SUFFIX))
}

const SCHOOL_PREFIX: [&str; 26] = [
    "实验", "育才", "明德", "新华", "第一", "第二", "第三", "第五", "城南", "城北", "红星", "育英",
    "启明", "培英", "博才", "求是", "正心", "崇文", "尚德", "向阳", "金桥", "阳光", "希望", "光华",
    "东城", "文昌",
];
const SCHOOL_LEVEL: [&str; 6] = ["小学", "中学", "初级中学", "幼儿园", "实验学校", "高级中学"];

pub(super) fn school(rng: &mut Rng, county: &str) -> String {
    let local = if rng.chance(0.4) { county } else { "" };
    format!(
        "{local}{}{}",
        rng.pick(&SCHOOL_PREFIX),
        rng.pick(&SCHOOL_LEVEL)
    )
}

const PROJECT_AREA: [&str; 14] = [
    "城东",
    "城西",
    "城南",
    "城北",
    "滨江",
    "高新区",
    "经开区",
    "老城区",
    "新区",
    "北站片区",
    "河西",
    "南湖片区",
    "工业园",
    "火车站",
];
const PROJECT_KIND: [&str; 12] = [
    "安置房",
    "棚户区改造",
    "道路提质改造",
    "污水管网",
    "地铁站",
    "综合管廊",
    "商业综合体",
    "学校扩建",
    "保障性住房",
    "立交桥",
    "排水管网改造",
    "雨污分流",
];
const PROJECT_TAIL: [&str; 4] = ["工程", "项目", "一期工程", "二期项目"];

pub(super) fn project(rng: &mut Rng, road: &str) -> String {
    if rng.chance(0.25) {
        return format!(
            "{road}{}",
            rng.pick(&["拓宽工程", "改造工程", "管网工程", "大修工程"])
        );
    }
    format!(
        "{}{}{}",
        rng.pick(&PROJECT_AREA),
        rng.pick(&PROJECT_KIND),
        rng.pick(&PROJECT_TAIL)
    )
}
