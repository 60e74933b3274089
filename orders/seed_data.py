"""Who buys in the demo: delivery places across China and the organisations (国有企业,
行政事业单位, 民营企业, 预算单位) that order for canteens and staff (``orders.seed``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Destination:
    region_code: str
    address: str
    recipient: str


DESTINATIONS = [
    Destination("110105", "建国路 88 号 SOHO 现代城 2 号楼 1203", "张伟"),
    Destination("310115", "世纪大道 100 号 环球金融中心 36 楼", "李娜"),
    Destination("440106", "天河路 385 号 太古汇一座 22 楼", "黄志明"),
    Destination("440305", "深南大道 9988 号 科技园 A 座 5 楼", "陈思远"),
    Destination("330106", "文三路 259 号 昌地火炬大厦 1 号楼", "王芳"),
    Destination("320106", "中山北路 30 号 城市名人酒店写字楼 18 楼", "刘洋"),
    Destination("420111", "珞喻路 1037 号 东区教工宿舍 6 栋", "赵敏"),
    Destination("510107", "人民南路四段 1 号 时代数码大厦 10 楼", "周杰"),
    Destination("430104", "麓山南路 932 号 湖南大学 南校区", "吴婷"),
    Destination("350203", "湖滨南路 388 号 国贸大厦 15 楼", "林嘉怡"),
    Destination("360113", "红谷中大道 1000 号 联发广场 21 楼", "熊涛"),
    Destination("360702", "章江路 12 号 江南明珠小区 3 栋", "钟丽"),
    Destination("610113", "长安南路 123 号 曲江花园 8 号楼", "杨帆"),
    Destination("120101", "南京路 219 号 天津中心 27 楼", "孙立伟"),
    Destination("500103", "民族路 188 号 环球金融中心 30 楼", "邓洁"),
    Destination("350102", "五四路 158 号 环球广场 12 楼", "郑凯"),
    Destination("340104", "长江西路 669 号 高新区管委会旁", "何静"),
    Destination("410105", "花园路 39 号 国贸中心 B 座", "马骏"),
]


@dataclass
class Buyer:
    """An organisation buying for its canteen or staff (消费帮扶, 工会福利)."""

    title: str
    entity: str  # the first two characters of its 统一社会信用代码
    division: str  # where it is registered
    destination: int  # index into DESTINATIONS
    bulk: tuple[int, int] = (10, 40)
    tags: list[str] = field(default_factory=list)


STATE_OWNED_BUYERS = [
    Buyer("深圳市鹏城能源集团有限公司", "91", "440305", 3),
    Buyer("上海申江交通建设集团有限公司", "91", "310115", 1),
    Buyer("广州南粤港务集团有限公司", "91", "440106", 2),
    Buyer("南昌洪都城市建设投资有限公司", "91", "360113", 10),
    Buyer("杭州钱塘水务集团有限公司", "91", "330106", 4),
]
INSTITUTION_BUYERS = [
    Buyer("深圳市南山区机关后勤服务中心", "12", "440305", 3),
    Buyer("广州市天河区第一实验小学", "12", "440106", 2),
    Buyer("赣州市章贡区机关事务服务中心", "12", "360702", 11),
    Buyer("北京市朝阳区农业农村局", "11", "110105", 0),
]
PRIVATE_BUYERS = [
    Buyer("深圳市优果科技有限公司", "91", "440305", 3, (5, 20)),
    Buyer("杭州西子优选电子商务有限公司", "91", "330106", 4, (5, 20)),
    Buyer("成都锦官城餐饮管理有限公司", "91", "510107", 7, (5, 20)),
]
BUDGET_BUYERS = [
    Buyer("赣州市第三中学", "12", "360702", 11, (20, 60)),
    Buyer("南昌大学后勤保障处", "12", "360113", 10, (20, 60)),
]
